// seawall first-party rules: PHP webshells (Apache-2.0, written for seawall).
// Each rule carries meta id/title/severity/family/references; the malware analyzer
// reads them into findings. Rules look for behaviour (request data reaching a code
// or command sink, decode-then-eval layers, tool markers), never for file names.

rule SW_MAL_PHP_RequestToEval
{
    meta:
        id = "SW-MAL-PHP-001"
        title = "PHP webshell: request parameter passed to eval/assert/system"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "Data from $_POST/$_GET/$_REQUEST/$_COOKIE flows straight into a code or command execution function: a one-line webshell."
    strings:
        $sink = /\b(eval|assert|system|shell_exec|passthru|popen|proc_open|create_function|pcntl_exec|exec)\s*\(\s*(@\s*)?((stripslashes|trim|base64_decode|gzinflate|str_rot13|urldecode|rawurldecode|hex2bin|strrev|gzuncompress)\s*\(\s*(@\s*)?){0,3}\$_(POST|GET|REQUEST|COOKIE|SERVER\s*\[\s*['"]HTTP_)/ nocase
        $backtick = /(<\?=|=|echo|print|return)\s*`\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
        $dyncall = /\$_(POST|GET|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*\(\s*(@\s*)?\$_(POST|GET|REQUEST|COOKIE)/ nocase
        $input = /(eval|assert)\s*\(\s*[^;]{0,40}file_get_contents\s*\(\s*['"]php:\/\/input/ nocase
    condition:
        any of them
}

rule SW_MAL_PHP_DecodeEval
{
    meta:
        id = "SW-MAL-PHP-002"
        title = "PHP webshell: eval of decoded or decompressed data (obfuscation layer)"
        severity = "high"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "eval()/assert() of base64_decode/gzinflate/str_rot13/... output hides the real payload of a webshell or PHP malware."
    strings:
        $layer = /(eval|assert)\s*\(\s*(@\s*)?(\w+\s*\(\s*){0,3}(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|convert_uudecode|hex2bin|strrev|pack\s*\(\s*['"]H\*)/ nocase
        $preg_e_decode = /preg_replace\s*\(\s*['"][^'"]{1,100}\/[imsxu]*e[imsxu]*['"]\s*,\s*['"][^'"]{0,100}(base64_decode|gzinflate|str_rot13|eval)/ nocase
    condition:
        any of them
}

rule SW_MAL_PHP_PregReplaceEval
{
    meta:
        id = "SW-MAL-PHP-003"
        title = "PHP webshell: preg_replace with the /e modifier on request data"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://www.php.net/manual/en/reference.pcre.pattern.modifiers.php"
        description = "preg_replace's /e modifier evaluates the replacement as PHP code; combined with request input it is a code-execution backdoor."
    strings:
        $e = /preg_replace\s*\(\s*['"]([^'"\\]|\\.){0,100}[\/#|!~@%][imsxuADSUX]*e[imsxuADSUX]*['"]/
        $req = /\$_(POST|GET|REQUEST|COOKIE)\s*\[/ nocase
    condition:
        $e and $req
}

rule SW_MAL_PHP_VariableFunctionShell
{
    meta:
        id = "SW-MAL-PHP-004"
        title = "PHP webshell: function name assembled at run time and called on request data"
        severity = "high"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A string such as 'as'.'sert' or 'base64_'.'decode' is concatenated into a function name and called with request data: a classic way to hide eval/assert."
    strings:
        $concat = /['"](a['"]?\s*\.\s*['"]?s['"]?\s*\.\s*['"]?s|as['"]\s*\.\s*['"]sert|ass['"]\s*\.\s*['"]ert|asse['"]\s*\.\s*['"]rt|ev['"]\s*\.\s*['"]al|e['"]\s*\.\s*['"]val|base64_['"]\s*\.\s*['"]decode|sy['"]\s*\.\s*['"]stem|sys['"]\s*\.\s*['"]tem)/ nocase
        $rev = /strrev\s*\(\s*['"](tressa|lave|metsys|edoced_46esab)['"]/ nocase
        $chr = /chr\s*\(\s*97\s*\)\s*\.\s*chr\s*\(\s*115\s*\)\s*\.\s*chr\s*\(\s*115\s*\)/ nocase
        $req = /\$_(POST|GET|REQUEST|COOKIE|SERVER)|php:\/\/input/ nocase
    condition:
        ($concat or $rev or $chr) and $req
}

rule SW_MAL_PHP_FileManagerShell
{
    meta:
        id = "SW-MAL-PHP-005"
        title = "PHP webshell: command shell / file manager toolkit (c99, r57, WSO, b374k style)"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "Markers of well-known PHP administration webshells."
    strings:
        $n1 = "c99shell" nocase
        $n2 = "r57shell" nocase
        $n3 = "b374k" nocase
        $n4 = "FilesMan" fullword
        $n5 = "WSO " fullword
        $n6 = "Web Shell by" nocase
        $n7 = "c99_buff_prepare" nocase
        $n8 = "phpspy" nocase
        $n9 = "Safe_Mode Bypass" nocase
        $n10 = "Cyber Shell" nocase
        $n11 = "uname -a" nocase
        $n12 = "safe_mode" nocase
        $n13 = "netstat -an" nocase
        $n14 = "/etc/passwd"
        $n15 = "back connect" nocase
        $n16 = "bind port" nocase
        $n17 = "shell_exec" nocase
        $n18 = "passthru" nocase
        $req = /\$_(POST|GET|REQUEST)\s*\[/ nocase
    condition:
        $req and (any of ($n1, $n2, $n3, $n4, $n5, $n6, $n7, $n8, $n9, $n10)
                  or 4 of ($n11, $n12, $n13, $n14, $n15, $n16, $n17, $n18))
}

rule SW_MAL_PHP_Behinder
{
    meta:
        id = "SW-MAL-PHP-010"
        title = "Behinder (冰蝎) PHP webshell"
        severity = "critical"
        family = "webshell-behinder"
        attack = "T1505.003"
        references = "https://github.com/rebeyond/Behinder"
        description = "AES/XOR-decrypted php://input evaluated with a session key: the Behinder server side."
    strings:
        $input = "php://input"
        $sess = /\$_SESSION\s*\[\s*['"]k['"]\s*\]\s*=/
        $xor = /\$\w+\[\$i\]\s*\^\s*\$key\[\$i\s*\+\s*1\s*&\s*15\]/
        $ossl = "openssl_decrypt" nocase
    condition:
        ($sess and $xor) or ($input and $xor and $ossl)
}

rule SW_MAL_PHP_Godzilla
{
    meta:
        id = "SW-MAL-PHP-011"
        title = "Godzilla (哥斯拉) PHP webshell"
        severity = "critical"
        family = "webshell-godzilla"
        attack = "T1505.003"
        references = "https://github.com/BeichenDream/Godzilla"
        description = "XOR-with-key payload kept in $_SESSION and evaluated: Godzilla's PHP_XOR_BASE64 / PHP_EVAL_XOR server side."
    strings:
        $xor = /\$\w+\s*\[\s*\$i\s*\+\s*1\s*&\s*15\s*\]/
        $payload = /['"]payload['"]/
        $sess = /\$_SESSION\s*\[\s*\$\w+\s*\]/
        $post = /\$_POST\s*\[\s*\$\w+\s*\]/
        $input = "php://input"
        $eval = /eval\s*\(\s*\$\w+\s*\)/
    condition:
        $xor and $sess and ($payload or $post or $input) and ($eval or $payload)
}

rule SW_MAL_PHP_AntSword
{
    meta:
        id = "SW-MAL-PHP-012"
        title = "AntSword (蚁剑) PHP webshell"
        severity = "critical"
        family = "webshell-antsword"
        attack = "T1505.003"
        references = "https://github.com/AntSwordProject/antSword"
        description = "AntSword shells: request keys turned into variables and invoked through reflection, create_function or assert."
    strings:
        $refl = /ReflectionClass\s*\(/
        $vars = /foreach\s*\(\s*array\s*\(\s*['"]_(POST|GET|REQUEST)['"]\s*\)/
        $dollar2 = /\$\$\w+/
        $ant = "antsword" nocase
        $req = /\$_(POST|GET|REQUEST)/
        $cf = /create_function\s*\(/ nocase
    condition:
        ($vars and $dollar2 and ($refl or $cf)) or ($ant and $req)
}

rule SW_MAL_PHP_ChinaChopper
{
    meta:
        id = "SW-MAL-PHP-013"
        title = "China Chopper (中国菜刀) PHP one-liner"
        severity = "critical"
        family = "webshell-chinachopper"
        attack = "T1505.003"
        references = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-i"
        description = "The tiny eval($_POST[...]) client/server pair used by China Chopper and its clones."
    strings:
        $cc = /<\?php\s*@?eval\s*\(\s*\$_(POST|REQUEST|GET)\s*\[\s*['"]?\w{1,20}['"]?\s*\]\s*\)\s*;?\s*\?>/ nocase
        $caidao = "caidao" nocase
        $req = /(eval|assert)\s*\(\s*\$_(POST|REQUEST)/ nocase
    condition:
        $cc or ($caidao and $req)
}

rule SW_MAL_PHP_UploadDropper
{
    meta:
        id = "SW-MAL-PHP-006"
        title = "PHP webshell: request-controlled file write of request data"
        severity = "high"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "fopen/file_put_contents with both the file name and the content taken from the request lets anyone drop files (a stage-one uploader)."
    strings:
        $fpc = /file_put_contents\s*\(\s*\$_(POST|GET|REQUEST)\s*\[[^\]]{1,30}\]\s*,\s*(base64_decode\s*\(\s*)?\$_(POST|GET|REQUEST)/ nocase
        $fw = /fwrite\s*\(\s*fopen\s*\(\s*\$_(POST|GET|REQUEST)\s*\[[^\]]{1,30}\][^;]{0,40}\$_(POST|GET|REQUEST)/ nocase
    condition:
        any of them
}

rule SW_MAL_PHP_CallbackShell
{
    meta:
        id = "SW-MAL-PHP-007"
        title = "PHP webshell: request data or a decoded name used as a callback / variable function"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A variable function or a callback-taking builtin (array_filter, forward_static_call, register_shutdown_function, ...) is called with a function name from the request or from decoded/concatenated strings."
    strings:
        $varcall = /\$\w{1,30}\s*\(\s*(@\s*)?\$_(POST|GET|REQUEST|COOKIE)\s*\[/
        $cb1 = /\b(forward_static_call(_array)?|call_user_func(_array)?|array_map|register_shutdown_function|register_tick_function|ob_start|set_error_handler|set_exception_handler)\s*\(\s*(\$\w+\s*\.\s*['"]|base64_decode\s*\(|str_rot13\s*\(|strrev\s*\(|\$_(POST|GET|REQUEST|COOKIE|SERVER))/ nocase
        $cb2 = /\b(array_filter|array_walk|array_map|usort|uasort|uksort|array_reduce|array_intersect_uassoc|array_udiff_assoc|array_intersect_ukey)\s*\(\s*\$\w+\s*,\s*(base64_decode\s*\(|str_rot13\s*\(|strrev\s*\(|\$_(POST|GET|REQUEST|COOKIE))/ nocase
        $decname = /\$\w{1,30}\s*=\s*(base64_decode|str_rot13|strrev)\s*\(\s*["'](YXNzZXJ0|ZXZhbA|c3lzdGVt|tressa|lave|nffreg|riny)/ nocase
        $req = /\$_(POST|GET|REQUEST|COOKIE)/
    condition:
        $varcall or $cb1 or $cb2 or ($decname and $req)
}

rule SW_MAL_PHP_RegisterGlobalsEval
{
    meta:
        id = "SW-MAL-PHP-008"
        title = "PHP webshell: request keys turned into variables, then evaluated"
        severity = "high"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "foreach over array('_POST','_GET',...) with $$key = $value re-creates register_globals so that a later eval()/assert() runs request data without naming it."
    strings:
        $loop = /foreach\s*\(\s*array\s*\(\s*['"]_(COOKIE|POST|GET|REQUEST)['"]/
        $dd = /\$\$\w+\s*=/
        $eval = /\b(eval|assert|create_function)\s*\(/
        $varcall = /\$\w+\s*\(\s*\$\w+\s*\)\s*;/
    condition:
        filesize < 200KB and $loop and $dd and ($eval or $varcall)
}

rule SW_MAL_PHP_NamedShellPage
{
    meta:
        id = "SW-MAL-PHP-009"
        title = "PHP webshell: page titled as a web shell that executes commands"
        severity = "high"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "An HTML title naming a web shell together with command execution on request data."
    strings:
        $title = /<title>[^<]{0,80}(web\s?shell|phpspy|c99|r57|b374k|wso\b|php\s?shell|backdoor|hacked|spy)/ nocase
        $exec = /\b(system|shell_exec|passthru|popen|proc_open|exec|eval)\s*\(/ nocase
        $req = /\$_(POST|GET|REQUEST|COOKIE)|\$HTTP_(POST|GET)_VARS/
    condition:
        $title and $exec and $req
}
