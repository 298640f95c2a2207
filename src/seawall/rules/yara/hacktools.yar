// seawall first-party rules: offensive tooling found in compromised containers
// (Apache-2.0). Go tools are matched by their module path, which the Go linker
// keeps in every binary (buildinfo and symbol tables) unless deliberately stripped.

rule SW_MAL_HACKTOOL_Cdk
{
    meta:
        id = "SW-MAL-HACKTOOL-001"
        title = "Hack tool: CDK container penetration toolkit"
        severity = "high"
        family = "hacktool"
        attack = "T1611"
        references = "https://github.com/cdk-team/CDK"
        description = "CDK: container escape and Kubernetes exploitation toolkit."
    strings:
        $m = "github.com/cdk-team/CDK"
        $u = "cdk evaluate" nocase
        $u2 = "cdk run" nocase
    condition:
        $m or ($u and $u2)
}

rule SW_MAL_HACKTOOL_Peass
{
    meta:
        id = "SW-MAL-HACKTOOL-002"
        title = "Hack tool: linPEAS / PEASS-ng privilege-escalation enumerator"
        severity = "high"
        family = "hacktool"
        attack = "T1082"
        references = "https://github.com/peass-ng/PEASS-ng"
        description = "linPEAS enumerates privilege-escalation paths."
    strings:
        $a = "PEASS-ng" nocase
        $b = "linpeas" nocase
        $c = "carlospolop" nocase
    condition:
        2 of them
}

rule SW_MAL_HACKTOOL_Pspy
{
    meta:
        id = "SW-MAL-HACKTOOL-003"
        title = "Hack tool: pspy process snooper"
        severity = "medium"
        family = "hacktool"
        attack = "T1057"
        references = "https://github.com/DominicBreuker/pspy"
        description = "pspy watches other users' processes without root (reconnaissance for cron jobs and credentials)."
    strings:
        $m = "github.com/DominicBreuker/pspy"
    condition:
        $m
}

rule SW_MAL_HACKTOOL_Tunnel
{
    meta:
        id = "SW-MAL-HACKTOOL-004"
        title = "Hack tool: tunnelling/proxy tool (chisel, frp, nps, gost, ligolo, rakshasa)"
        severity = "high"
        family = "hacktool"
        attack = "T1572"
        references = "https://attack.mitre.org/techniques/T1572/"
        description = "Reverse tunnelling tools used to reach internal networks from a compromised container."
    strings:
        $chisel = "github.com/jpillora/chisel"
        $frp = "github.com/fatedier/frp"
        $nps = "ehang.io/nps"
        $ligolo = "github.com/nicocha30/ligolo-ng"
        $ligolo2 = "github.com/sysdream/ligolo"
        $rak = "github.com/Mob2003/rakshasa"
        $iox = "github.com/EddieIvan01/iox"
    condition:
        any of them
}

rule SW_MAL_HACKTOOL_FrpConfig
{
    meta:
        id = "SW-MAL-HACKTOOL-005"
        title = "Hack tool: frp client configuration exposing an internal service"
        severity = "medium"
        family = "hacktool"
        attack = "T1572"
        references = "https://github.com/fatedier/frp"
        description = "frpc configuration (server address plus a proxied local port)."
    strings:
        $ini1 = /\[common\]\s*\n\s*server_addr\s*=/
        $ini2 = /local_port\s*=\s*[0-9]+/
        $toml1 = /serverAddr\s*=\s*["']/
        $toml2 = /\[\[proxies\]\]/
        $toml3 = /localPort\s*=\s*[0-9]+/
    condition:
        filesize < 256KB and (($ini1 and $ini2) or ($toml1 and $toml2 and $toml3))
}

rule SW_MAL_HACKTOOL_CredentialDumper
{
    meta:
        id = "SW-MAL-HACKTOOL-006"
        title = "Hack tool: Linux credential dumper (mimipenguin, 3snake, LaZagne)"
        severity = "high"
        family = "hacktool"
        attack = "T1003.007"
        references = "https://github.com/huntergregal/mimipenguin"
        description = "Tools that scrape cleartext passwords from process memory or files."
    strings:
        $m1 = "mimipenguin" nocase
        $m2 = "huntergregal"
        $m3 = "3snake" fullword
        $m4 = "lazagne" nocase
        $m5 = "AlessandroZ"
        $c1 = "/etc/shadow"
        $c2 = "/proc/"
        $c3 = "gnome-keyring" nocase
    condition:
        (($m1 or $m2) and ($c1 or $c2 or $c3)) or ($m3 and $c2) or ($m4 and $m5)
}

rule SW_MAL_HACKTOOL_Enumerators
{
    meta:
        id = "SW-MAL-HACKTOOL-007"
        title = "Hack tool: privilege-escalation / exploitation helper (LinEnum, linux-exploit-suggester, traitor, fscan, gsocket, sliver)"
        severity = "high"
        family = "hacktool"
        attack = "T1068"
        references = "https://attack.mitre.org/techniques/T1068/"
        description = "Post-exploitation and enumeration tools with no place in a production image."
    strings:
        $t1 = "github.com/liamg/traitor"
        $t2 = "github.com/shadow1ng/fscan"
        $t3 = "github.com/bishopfox/sliver"
        $t4 = "gs-netcat" fullword
        $t5 = "linux-exploit-suggester" nocase
        $t6 = "rebootuser.com" nocase
        $t7 = "LinEnum" fullword
        $t8 = "github.com/hackerschoice/gsocket"
        $t9 = "github.com/Ne0nd0g/merlin"
        $t10 = "github.com/ropnop/kerbrute"
        $t11 = "mzet-" fullword
    condition:
        any of ($t1, $t2, $t3, $t8, $t9, $t10) or ($t5 and $t11) or ($t6 and $t7) or ($t4 and $t8)
}
