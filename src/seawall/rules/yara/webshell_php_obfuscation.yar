// seawall first-party rules: obfuscated PHP webshells (Apache-2.0, written for seawall).
// These rules key on the obfuscation *techniques* webshells use to hide their sinks
// (split or escaped function names, XOR-built strings, junk-interleaved literals,
// chr() chains, match-all /e regexes), never on a sample's own strings.

rule SW_MAL_PHP_HiddenSinkName
{
    meta:
        id = "SW-MAL-PHP-020"
        title = "PHP webshell: code/command function name split into concatenated or escaped literals"
        severity = "critical"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "A literal like 'as'.'sert', \"ass\\x65rt\" or '\\x65\\x76\\x61\\x6c' spells assert/eval/create_function/base64_decode/system/_POST only once it is joined or unescaped: the name is hidden from signature scanners on purpose and then called dynamically."
    strings:
        $assert = /['"](A|a|\\x61|\\141)(['"]\s*\.\s*['"])?(S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(R|r|\\x72|\\162)(['"]\s*\.\s*['"])?(T|t|\\x74|\\164)/
        $cf = /['"](C|c|\\x63|\\143)(['"]\s*\.\s*['"])?(R|r|\\x72|\\162)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(A|a|\\x61|\\141)(['"]\s*\.\s*['"])?(T|t|\\x74|\\164)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(_|\\x5F|\\x5f|\\137)(['"]\s*\.\s*['"])?(F|f|\\x66|\\146)(['"]\s*\.\s*['"])?(U|u|\\x75|\\165)(['"]\s*\.\s*['"])?(N|n|\\x6E|\\x6e|\\156)(['"]\s*\.\s*['"])?(C|c|\\x63|\\143)(['"]\s*\.\s*['"])?(T|t|\\x74|\\164)(['"]\s*\.\s*['"])?(I|i|\\x69|\\151)(['"]\s*\.\s*['"])?(O|o|\\x6F|\\x6f|\\157)(['"]\s*\.\s*['"])?(N|n|\\x6E|\\x6e|\\156)/
        $b64 = /['"](B|b|\\x62|\\142)(['"]\s*\.\s*['"])?(A|a|\\x61|\\141)(['"]\s*\.\s*['"])?(S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(6|\\x36|\\066)(['"]\s*\.\s*['"])?(4|\\x34|\\064)(['"]\s*\.\s*['"])?(_|\\x5F|\\x5f|\\137)(['"]\s*\.\s*['"])?(D|d|\\x64|\\144)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(C|c|\\x63|\\143)(['"]\s*\.\s*['"])?(O|o|\\x6F|\\x6f|\\157)(['"]\s*\.\s*['"])?(D|d|\\x64|\\144)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)/
        $gzi = /['"](G|g|\\x67|\\147)(['"]\s*\.\s*['"])?(Z|z|\\x7A|\\x7a|\\172)(['"]\s*\.\s*['"])?(I|i|\\x69|\\151)(['"]\s*\.\s*['"])?(N|n|\\x6E|\\x6e|\\156)(['"]\s*\.\s*['"])?(F|f|\\x66|\\146)(['"]\s*\.\s*['"])?(L|l|\\x6C|\\x6c|\\154)(['"]\s*\.\s*['"])?(A|a|\\x61|\\141)(['"]\s*\.\s*['"])?(T|t|\\x74|\\164)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)/
        $gzu = /['"](G|g|\\x67|\\147)(['"]\s*\.\s*['"])?(Z|z|\\x7A|\\x7a|\\172)(['"]\s*\.\s*['"])?(U|u|\\x75|\\165)(['"]\s*\.\s*['"])?(N|n|\\x6E|\\x6e|\\156)(['"]\s*\.\s*['"])?(C|c|\\x63|\\143)(['"]\s*\.\s*['"])?(O|o|\\x6F|\\x6f|\\157)(['"]\s*\.\s*['"])?(M|m|\\x6D|\\x6d|\\155)(['"]\s*\.\s*['"])?(P|p|\\x70|\\160)(['"]\s*\.\s*['"])?(R|r|\\x72|\\162)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(S|s|\\x73|\\163)/
        $rot = /['"](S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(T|t|\\x74|\\164)(['"]\s*\.\s*['"])?(R|r|\\x72|\\162)(['"]\s*\.\s*['"])?(_|\\x5F|\\x5f|\\137)(['"]\s*\.\s*['"])?(R|r|\\x72|\\162)(['"]\s*\.\s*['"])?(O|o|\\x6F|\\x6f|\\157)(['"]\s*\.\s*['"])?(T|t|\\x74|\\164)(['"]\s*\.\s*['"])?(1|\\x31|\\061)(['"]\s*\.\s*['"])?(3|\\x33|\\063)/
        $sys = /['"](S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(Y|y|\\x79|\\171)(['"]\s*\.\s*['"])?(S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(T|t|\\x74|\\164)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(M|m|\\x6D|\\x6d|\\155)/
        $she = /['"](S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(H|h|\\x68|\\150)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(L|l|\\x6C|\\x6c|\\154)(['"]\s*\.\s*['"])?(L|l|\\x6C|\\x6c|\\154)(['"]\s*\.\s*['"])?(_|\\x5F|\\x5f|\\137)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(X|x|\\x78|\\170)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(C|c|\\x63|\\143)/
        $pas = /['"](P|p|\\x70|\\160)(['"]\s*\.\s*['"])?(A|a|\\x61|\\141)(['"]\s*\.\s*['"])?(S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(T|t|\\x74|\\164)(['"]\s*\.\s*['"])?(H|h|\\x68|\\150)(['"]\s*\.\s*['"])?(R|r|\\x72|\\162)(['"]\s*\.\s*['"])?(U|u|\\x75|\\165)/
        $post = /['"](_|\\x5F|\\x5f|\\137)(['"]\s*\.\s*['"])?(P|p|\\x50|\\120)(['"]\s*\.\s*['"])?(O|o|\\x4F|\\x4f|\\117)(['"]\s*\.\s*['"])?(S|s|\\x53|\\123)(['"]\s*\.\s*['"])?(T|t|\\x54|\\124)/
        $req = /['"](_|\\x5F|\\x5f|\\137)(['"]\s*\.\s*['"])?(R|r|\\x52|\\122)(['"]\s*\.\s*['"])?(E|e|\\x45|\\105)(['"]\s*\.\s*['"])?(Q|q|\\x51|\\121)(['"]\s*\.\s*['"])?(U|u|\\x55|\\125)(['"]\s*\.\s*['"])?(E|e|\\x45|\\105)(['"]\s*\.\s*['"])?(S|s|\\x53|\\123)(['"]\s*\.\s*['"])?(T|t|\\x54|\\124)/
        $eval = /['"](E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(V|v|\\x76|\\166)(['"]\s*\.\s*['"])?(A|a|\\x61|\\141)(['"]\s*\.\s*['"])?(L|l|\\x6C|\\x6c|\\154)/
        $strrep = /['"](S|s|\\x73|\\163)(['"]\s*\.\s*['"])?(T|t|\\x74|\\164)(['"]\s*\.\s*['"])?(R|r|\\x72|\\162)(['"]\s*\.\s*['"])?(_|\\x5F|\\x5f|\\137)(['"]\s*\.\s*['"])?(R|r|\\x72|\\162)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)(['"]\s*\.\s*['"])?(P|p|\\x70|\\160)(['"]\s*\.\s*['"])?(L|l|\\x6C|\\x6c|\\154)(['"]\s*\.\s*['"])?(A|a|\\x61|\\141)(['"]\s*\.\s*['"])?(C|c|\\x63|\\143)(['"]\s*\.\s*['"])?(E|e|\\x65|\\145)/
        $php = /<\?(php|=|\s|\$|@)/ nocase
    condition:
        filesize < 2MB and $php and (
            (for any i in (1..#assert): (!assert[i] > 7))
            or (for any i in (1..#cf): (!cf[i] > 16))
            or (for any i in (1..#b64): (!b64[i] > 14))
            or (for any i in (1..#gzi): (!gzi[i] > 10))
            or (for any i in (1..#gzu): (!gzu[i] > 13))
            or (for any i in (1..#rot): (!rot[i] > 10))
            or (for any i in (1..#sys): (!sys[i] > 7))
            or (for any i in (1..#she): (!she[i] > 11))
            or (for any i in (1..#pas): (!pas[i] > 9))
            or (for any i in (1..#post): (!post[i] > 6))
            or (for any i in (1..#req): (!req[i] > 9))
            or (for any i in (1..#eval): (!eval[i] > 5))
            or (for any i in (1..#strrep): (!strrep[i] > 12))
        )
}

rule SW_MAL_PHP_StringArithmeticName
{
    meta:
        id = "SW-MAL-PHP-021"
        title = "PHP webshell: function or superglobal name computed with XOR / NOT / chr() arithmetic"
        severity = "critical"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "Strings XORed with strings (\"`{{{\"^\"?<>/\" = _GET), bitwise-NOT of characters, long chr()/variable-function chains or ${\"_P\".\"OST\"} build a function or superglobal name at run time, then call it: non-alphanumeric and 'no keyword' webshells."
    strings:
        $xorlit = /[=(.]\s*["'][^"'\s,]{1,24}["']\s*\^\s*["'][^"'\s,]{1,24}["']/
        $xorpack = /(pack\s*\(\s*["']H\*["']\s*,[^;]{1,80}|hex2bin\s*\(\s*["'][0-9a-f]{4,40}["']\s*\))\s*\^\s*\$\w+|\$\w+\s*\^\s*(hex2bin|pack)\s*\(/ nocase
        $notchar = /\.=\s*~\s*\(?\s*\$\w+\s*[\{\[]/
        $chrchain = /(chr\s*\(\s*(3[2-9]|[4-9]\d|1[01]\d|12[0-6])\s*\)\s*\.\s*){5}/ nocase
        $varchain = /\$\w{1,12}\(\d{2,3}\)\.\$\w{1,12}\(\d{2,3}\)\.\$\w{1,12}\(\d{2,3}\)\.\$\w{1,12}\(\d{2,3}\)\./
        $sgconcat = /\$\s*(\/\*[^\n]{0,30}\*\/\s*)?\{\s*(\/\*[^\n]{0,30}\*\/\s*)?["']_[A-Z]{0,6}["']\s*(\/\*[^\n]{0,30}\*\/\s*)?\./
        $sgcase = /\$\{\s*(strtoupper|strtolower|base64_decode|str_rot13|strrev|chr)\s*\(/ nocase
        $sgvar = /\$\{\s*\$_+\s*\}\s*\[/
        $sglit = /\$\{\s*["']_(POST|GET|REQUEST|COOKIE|SERVER|FILES)["']\s*\}/
        $chartable = /(\$\w{1,20}\[["']\w{1,10}["']\]\[\d{1,3}\]\.){6}/
        $php = /<\?(php|=|\s|\$|@)/ nocase
        $varvar = /\$\{|\$\$\w/
        $evalcall = /\b(eval|assert)\s*\(/
    condition:
        filesize < 2MB and $php and ($xorpack or $notchar or $chrchain or $varchain or $sgconcat or $sgcase or $sgvar or $sglit or $chartable
            or ($xorlit and ($varvar or $evalcall)))
}

rule SW_MAL_PHP_InterleavedLiteral
{
    meta:
        id = "SW-MAL-PHP-022"
        title = "PHP webshell: function name hidden in a junk-interleaved literal removed with str_replace"
        severity = "critical"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "str_replace('x', '', 'axsxsxexrxt') style decoding (also through a variable holding str_replace): a sink name such as create_function, base64_decode, assert or str_replace is interleaved with filler that is stripped at run time."
    strings:
        $il_cf = /(str_replace|\$\w+)\s*\(\s*["'][^"']{1,12}["']\s*,\s*["']["']\s*,\s*["'][^"'\s]{0,6}c[^"'\s]{0,6}r[^"'\s]{0,6}e[^"'\s]{0,6}a[^"'\s]{0,6}t[^"'\s]{0,6}e[^"'\s]{0,6}_[^"'\s]{0,6}f[^"'\s]{0,6}u[^"'\s]{0,6}n[^"'\s]{0,6}c[^"'\s]{0,6}t[^"'\s]{0,6}i[^"'\s]{0,6}o[^"'\s]{0,6}n[^"'\s]{0,6}["']\s*\)/ nocase
        $il_b64 = /(str_replace|\$\w+)\s*\(\s*["'][^"']{1,12}["']\s*,\s*["']["']\s*,\s*["'][^"'\s]{0,6}b[^"'\s]{0,6}a[^"'\s]{0,6}s[^"'\s]{0,6}e[^"'\s]{0,6}6[^"'\s]{0,6}4[^"'\s]{0,6}_[^"'\s]{0,6}d[^"'\s]{0,6}e[^"'\s]{0,6}c[^"'\s]{0,6}o[^"'\s]{0,6}d[^"'\s]{0,6}e[^"'\s]{0,6}["']\s*\)/ nocase
        $il_as = /(str_replace|\$\w+)\s*\(\s*["'][^"']{1,12}["']\s*,\s*["']["']\s*,\s*["'][^"'\s]{0,6}a[^"'\s]{0,6}s[^"'\s]{0,6}s[^"'\s]{0,6}e[^"'\s]{0,6}r[^"'\s]{0,6}t[^"'\s]{0,6}["']\s*\)/ nocase
        $il_sr = /(str_replace|\$\w+)\s*\(\s*["'][^"']{1,12}["']\s*,\s*["']["']\s*,\s*["'][^"'\s]{0,6}s[^"'\s]{0,6}t[^"'\s]{0,6}r[^"'\s]{0,6}_[^"'\s]{0,6}r[^"'\s]{0,6}e[^"'\s]{0,6}p[^"'\s]{0,6}l[^"'\s]{0,6}a[^"'\s]{0,6}c[^"'\s]{0,6}e[^"'\s]{0,6}["']\s*\)/ nocase
        $il_gz = /(str_replace|\$\w+)\s*\(\s*["'][^"']{1,12}["']\s*,\s*["']["']\s*,\s*["'][^"'\s]{0,6}g[^"'\s]{0,6}z[^"'\s]{0,6}i[^"'\s]{0,6}n[^"'\s]{0,6}f[^"'\s]{0,6}l[^"'\s]{0,6}a[^"'\s]{0,6}t[^"'\s]{0,6}e[^"'\s]{0,6}["']\s*\)/ nocase
        $il_rot = /(str_replace|\$\w+)\s*\(\s*["'][^"']{1,12}["']\s*,\s*["']["']\s*,\s*["'][^"'\s]{0,6}s[^"'\s]{0,6}t[^"'\s]{0,6}r[^"'\s]{0,6}_[^"'\s]{0,6}r[^"'\s]{0,6}o[^"'\s]{0,6}t[^"'\s]{0,6}1[^"'\s]{0,6}3[^"'\s]{0,6}["']\s*\)/ nocase
    condition:
        filesize < 2MB and any of them
}

rule SW_MAL_PHP_MatchAllEvalRegex
{
    meta:
        id = "SW-MAL-PHP-023"
        title = "PHP webshell: match-everything regex with the /e modifier (eval in disguise)"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://www.php.net/manual/en/reference.pcre.pattern.modifiers.php"
        description = "A pattern such as '/.*/e' or '~(.*)~ies' matches any input, so its only purpose is to evaluate the replacement as PHP code; seen as preg_replace or hidden in arrays for array_walk/mb_ereg_replace tricks."
    strings:
        $all = /["'](\/\(?\.[*+]\)?\/|\|\(?\.[*+]\)?\||~\(?\.[*+]\)?~|#\(?\.[*+]\)?#|@\(?\.[*+]\)?@|!\(?\.[*+]\)?!)[imsxuADSUX]*e[imsxuADSUX]*["']/
        $hexrepl = /preg_replace\s*\(\s*["'][^"']{1,80}[imsxu]*e[imsxu]*["']\s*,\s*["'](\\x[0-9a-fA-F]{2}){4}/
        $callrepl = /preg_replace\s*\(\s*["'][^"']{1,80}[\/~#|!@%][imsxu]*e[imsxu]*["']\s*,\s*@?(gzuncompress|gzinflate|base64_decode|str_rot13|strrev|\$_(POST|GET|REQUEST|COOKIE|SESSION))/ nocase
    condition:
        any of them
}

rule SW_MAL_PHP_KeyedPayload
{
    meta:
        id = "SW-MAL-PHP-024"
        title = "PHP webshell: large encoded payload decrypted with a key taken from the request"
        severity = "critical"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "A long base64 blob XORed (str_repeat key) or byte-shifted (chr(ord()-ord())) with a key read from a cookie/POST field: the payload only exists when the attacker supplies the key."
    strings:
        $blob = /["'][A-Za-z0-9+\/]{200,}/
        $key = /\$_(COOKIE|POST|GET|REQUEST|SERVER)\s*\[/
        $xor = /\^\s*str_repeat\s*\(/ nocase
        $shift = /chr\s*\(\s*\(\s*ord\s*\(\s*\$\w+\s*\[[^\]]{1,20}\]\s*\)\s*[-+^]\s*ord\s*\(/ nocase
        $php = /<\?(php|=|\s)/ nocase
    condition:
        $php and $blob and $key and ($xor or $shift)
}

rule SW_MAL_PHP_HexSinkNames
{
    meta:
        id = "SW-MAL-PHP-025"
        title = "PHP webshell: names of command/code functions stored as hex strings"
        severity = "high"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "Hex literals that decode to system, shell_exec, passthru, proc_open, popen, assert, eval, base64_decode or php_uname, decoded with hex2bin/pack at run time: a function table hidden from keyword scanners."
    strings:
        $h1 = /["'](73797374656d|7368656c6c5f65786563|7061737374687275|70726f635f6f70656e|706f70656e|617373657274|6261736536345f6465636f6465|7068705f756e616d65|6372656174655f66756e6374696f6e)["']/ nocase
        $dec = /\b(hex2bin|pack|hexdec)\s*\(/ nocase
    condition:
        $h1 and $dec
}

rule SW_MAL_PHP_EvalDecodedPage
{
    meta:
        id = "SW-MAL-PHP-026"
        title = "PHP webshell: whole page evaluated from a decoded string (eval('?>'.base64_decode(...)))"
        severity = "critical"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "eval('?>' . base64_decode/gzinflate(...)) drops out of PHP mode and evaluates an entire packed page: the WSO/b374k packing layer."
    strings:
        $e = /\beval\s*\(\s*["']\?>["']\s*\.\s*(@\s*)?(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev)\s*\(/ nocase
    condition:
        $e
}

rule SW_MAL_PHP_NumericIdentifiers
{
    meta:
        id = "SW-MAL-PHP-027"
        title = "PHP malware: functions, constants and globals named with digits and raw high bytes (obfuscator output)"
        severity = "high"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "define('7813530', __FILE__), function_exists('\\xb30\\xb593...') and global $\\x83\\xb357834...: names of digits mixed with raw non-UTF-8 bytes that no person types; generated, obfuscated malware declares them."
    strings:
        $php = /<\?(php|=|\s)/ nocase
        $fe = /function_exists\s*\(\s*["'][\x80-\xff]{0,4}\d[\x80-\xff\d]{5,}["']\s*\)/
        $def = /define\s*\(\s*["'][\x80-\xff]{0,4}\d[\x80-\xff\d]{5,}["']\s*,/
        $glob = /global\s+\$[\x80-\xff]{1,4}\d[\x80-\xff\d]{5,}\s*[;,]/
    condition:
        $php and 2 of ($fe, $def, $glob)
}
