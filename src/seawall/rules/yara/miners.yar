// seawall first-party rules: crypto-currency miners (Apache-2.0).

rule SW_MAL_MINER_StratumUrl
{
    meta:
        id = "SW-MAL-MINER-001"
        title = "Crypto-miner: stratum mining-pool URL"
        severity = "high"
        family = "cryptominer"
        attack = "T1496"
        references = "https://attack.mitre.org/techniques/T1496/"
        description = "A stratum+tcp/ssl pool URL configures a miner; outside a miner's own package it is a strong sign of cryptojacking."
    strings:
        $s = /stratum(1|2)?\+(tcp|ssl|tls|ws|wss):\/\/[a-zA-Z0-9.\-_\[\]:%$]{3,}/ nocase
    condition:
        $s
}

rule SW_MAL_MINER_XmrigConfig
{
    meta:
        id = "SW-MAL-MINER-002"
        title = "Crypto-miner: XMRig configuration"
        severity = "high"
        family = "cryptominer"
        attack = "T1496"
        references = "https://xmrig.com/docs/miner/config"
        description = "A JSON config with XMRig's pools/donate-level/randomx keys."
    strings:
        $pools = "\"pools\"" nocase
        $donate = "\"donate-level\"" nocase
        $rx = "\"randomx\"" nocase
        $algo = /"algo"\s*:\s*"(rx\/|cn\/|cryptonight|randomx|kawpow|ghostrider|argon2)/ nocase
        $user = /"user"\s*:\s*"4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $url = /"url"\s*:\s*"[a-z0-9.\-]+:[0-9]{2,5}"/
    condition:
        filesize < 1MB and $pools and $url and ($donate or $rx or $algo or $user)
}

rule SW_MAL_MINER_XmrigBinary
{
    meta:
        id = "SW-MAL-MINER-003"
        title = "Crypto-miner: XMRig (or a fork) executable"
        severity = "critical"
        family = "cryptominer"
        attack = "T1496"
        references = "https://github.com/xmrig/xmrig"
        description = "Strings of the XMRig miner (donate servers, its option names and algorithm tables)."
    strings:
        $x1 = "xmrig" nocase
        $x2 = "donate.v2.xmrig.com"
        $x3 = "donate.ssl.xmrig.com"
        $o1 = "--donate-level"
        $o2 = "--randomx-1gb-pages"
        $o3 = "--cpu-max-threads-hint"
        $o4 = "cryptonight" nocase
        $o5 = "randomx" nocase
        $o6 = "stratum" nocase
        $o7 = "nicehash" nocase
    condition:
        (uint32(0) == 0x464c457f or uint16(0) == 0x5a4d) and
        (any of ($x2, $x3) or ($x1 and 3 of ($o*)))
}

rule SW_MAL_MINER_GenericBinary
{
    meta:
        id = "SW-MAL-MINER-004"
        title = "Crypto-miner: miner executable (cpuminer, ccminer, t-rex, lolminer, nbminer…)"
        severity = "high"
        family = "cryptominer"
        attack = "T1496"
        references = "https://attack.mitre.org/techniques/T1496/"
        description = "An executable holding the usage text or names of common CPU/GPU miners together with stratum support."
    strings:
        $m1 = "cpuminer" nocase
        $m2 = "ccminer" nocase
        $m3 = "minerd" fullword
        $m4 = "t-rex" fullword nocase
        $m5 = "lolMiner"
        $m6 = "NBMiner"
        $m7 = "PhoenixMiner"
        $m8 = "ethminer"
        $m9 = "kinsing" nocase
        $m10 = "XMR-Stak" nocase
        $m11 = "SRBMiner"
        $s1 = "stratum+tcp" nocase
        $s2 = "mining.subscribe"
        $s3 = "mining.authorize"
        $s4 = "mining.submit"
    condition:
        (uint32(0) == 0x464c457f or uint16(0) == 0x5a4d) and any of ($m*) and 2 of ($s*)
}

rule SW_MAL_MINER_PoolDomain
{
    meta:
        id = "SW-MAL-MINER-005"
        title = "Crypto-miner: known mining-pool host name with a port"
        severity = "high"
        family = "cryptominer"
        attack = "T1496"
        references = "https://attack.mitre.org/techniques/T1496/"
        description = "host:port of a public mining pool (Monero and others), as found in miner configs and dropper scripts."
    strings:
        $p = /(pool\.minexmr\.com|minexmr\.com|supportxmr\.com|xmr\.nanopool\.org|nanopool\.org|monerohash\.com|hashvault\.pro|c3pool\.com|moneroocean\.stream|xmrpool\.eu|herominers\.com|pool\.hashvault\.pro|xmr\.2miners\.com|2miners\.com|f2pool\.com|ethermine\.org|unmineable\.com|minergate\.com|nicehash\.com|xmr-eu1\.nanopool\.org|xmr\.crypto-pool\.fr|dwarfpool\.com|gulf\.moneroocean\.stream|pool\.supportxmr\.com|auto\.c3pool\.org|c3pool\.org|xmrig\.com|mine\.zpool\.ca|zpool\.ca|prohashing\.com|kryptex\.network|woolypooly\.com|pool\.kryptex\.com|ravenminer\.com|flockpool\.com):[0-9]{2,5}/ nocase
    condition:
        $p
}

rule SW_MAL_MINER_Dropper
{
    meta:
        id = "SW-MAL-MINER-006"
        title = "Crypto-miner dropper script (kills rival miners, installs xmrig)"
        severity = "critical"
        family = "cryptominer"
        attack = "T1496"
        references = "https://attack.mitre.org/techniques/T1496/"
        description = "Shell script that downloads and starts a miner and/or kills competing miners (Kinsing, TeamTNT, WatchDog style)."
    strings:
        $k1 = /pkill\s+(-9\s+)?(-f\s+)?(xmrig|kinsing|kdevtmpfsi|minerd|cpuminer|xmr-stak)/ nocase
        $k2 = /killall\s+(-9\s+)?(xmrig|kinsing|kdevtmpfsi|minerd)/ nocase
        $d1 = /(curl|wget)[^\n]{0,200}(xmrig|kinsing|kdevtmpfsi|minerd)/ nocase
        $r1 = /(\.\/|\/tmp\/|\/var\/tmp\/|\/dev\/shm\/)[^\s]{0,40}(xmrig|kdevtmpfsi|minerd)\b/ nocase
        $sh = /^#!\s*\/[a-z\/]*(ba|da|z)?sh/
    condition:
        filesize < 2MB and (($sh at 0 and any of ($k*, $d*, $r*)) or ($d1 and ($r1 or any of ($k*))))
}
