// seawall first-party rules: PHP webshell behaviours beyond direct eval($_POST)
// (Apache-2.0, written for seawall): request data reaching callback-taking builtins,
// code loaded from the request or the network, self-hiding loops, and the
// command-plus-file-manager toolkits.

rule SW_MAL_PHP_CallbackSink
{
    meta:
        id = "SW-MAL-PHP-030"
        title = "PHP webshell: assert/system handed as a callback, or request data fed to a callback builtin"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://blog.sucuri.net/2014/04/php-callback-functions-another-way-to-hide-backdoors.html"
        description = "call_user_func('assert', ...), array_filter(..., 'assert'), register_shutdown_function('assert', ...), or array_*_u*(array($_REQUEST[...] => ...), ..., $callback): callback-taking builtins used to run request data without a visible eval."
    strings:
        $cbname = /\b(call_user_func(_array)?|array_(filter|map|walk(_recursive)?|reduce|diff_u\w+|udiff\w*|intersect_u\w+|uintersect\w*)|usort|uasort|uksort|iterator_apply|register_shutdown_function|register_tick_function|forward_static_call(_array)?|fromCallable)\s*\(([^;()]{0,80}|[^;()]{0,60}\([^;()]{0,40}\)[^;()]{0,40}),\s*["']?(assert|system|passthru|shell_exec|create_function)["']?\s*[,)]/ nocase
        $cbfirst = /\b(call_user_func(_array)?|array_map|register_shutdown_function|register_tick_function|forward_static_call(_array)?|fromCallable)\s*\(\s*["']?(assert|system|passthru|shell_exec|create_function)["']?\s*[,)]/ nocase
        $reqarr = /\b(array_\w*u\w*|array_filter|array_map|array_walk\w*|usort|uasort|uksort|iterator_apply)\s*\(\s*@?\s*(array\s*\(|\[)\s*@?\s*(\(\s*string\s*\)\s*)?(stripslashes\s*\(\s*)?\$_(REQUEST|POST|GET|COOKIE)/ nocase
        $req = /\$_(POST|GET|REQUEST|COOKIE|SERVER|SESSION)|getallheaders|php:\/\/input/
    condition:
        $req and any of ($cbname, $cbfirst, $reqarr)
}

rule SW_MAL_PHP_OutputBufferEval
{
    meta:
        id = "SW-MAL-PHP-031"
        title = "PHP webshell: request data echoed into an output-buffer callback that evaluates it"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "ob_start(function ...) captures 'echo $_REQUEST[...]' and hands the buffer to assert/eval: the code path never names the request in the eval call."
    strings:
        $ob = /ob_start\s*\(\s*(function|["']\w+["']|\$\w+)/ nocase
        $echo = /(echo|print)\s*\(?\s*\$_(REQUEST|POST|GET|COOKIE)/ nocase
        $sink = /\b(assert|eval|create_function|register_shutdown_function)\b/ nocase
    condition:
        filesize < 64KB and $ob and $echo and $sink
}

rule SW_MAL_PHP_TinyDynamicExec
{
    meta:
        id = "SW-MAL-PHP-032"
        title = "PHP webshell: tiny script evaluating or dynamically calling input-derived data"
        severity = "high"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A PHP file of a few hundred bytes whose only job is to take request/header/session input and hand it to eval/assert or to a function whose name is itself a variable: the one-liner shape, whatever indirection sits in between."
    strings:
        $php = /<\?(php|=|\s|\$|@)/ nocase
        $src = /\$_(POST|GET|REQUEST|COOKIE|SESSION)\b|getallheaders\s*\(|php:\/\/input|HTTP_RAW_POST_DATA|\$HTTP_(POST|GET)_VARS|\bextract\s*\(\s*\$_/
        $eval = /\b(eval|assert)\s*\(\s*(@\s*)?(\$|["'][^"']{0,20}["']\s*\.\s*\$|\w+\s*\(\s*\))/ nocase
        $varcall = /\$\w{1,20}\(@?\$\w{1,20}(\[[^\]]{0,30}\])?\)/
        $arrcall = /\$\w+\s*\[[^\]]{1,20}\]\s*(\[[^\]]{1,20}\]\s*)?\(\s*(@\s*)?\$_/
        $ud = /\$\w+\s*\(\s*["']["']\s*,\s*\$\w+/
        $elemcall = /\](\s*)\(@?\$\w{1,20}\[/
        $hdrcall = /\$\w+\s*\(\s*(@\s*)?getallheaders\s*\(\s*\)/
        $cmd = /\b(system|passthru|shell_exec|popen|proc_open|pcntl_exec)\s*\(\s*(@\s*)?\$\w+/ nocase
        $stash = /\$_SESSION\s*\[[^\]]{1,30}\]\s*=\s*(base64_decode|str_rot13|gzinflate|hex2bin|strrev)\s*\(\s*\$_(COOKIE|POST|GET|REQUEST)/ nocase
    condition:
        filesize < 1200 and $php and $src and ($eval or $varcall or $arrcall or $ud or $elemcall or $hdrcall or $cmd or $stash)
}

rule SW_MAL_PHP_IncludeInput
{
    meta:
        id = "SW-MAL-PHP-033"
        title = "PHP backdoor: include of php://input or of a hex-escaped path"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://www.php.net/manual/en/wrappers.php.php"
        description = "include('php://input') runs the request body as PHP; an include whose path is written entirely in \\x escapes hides an injected loader."
    strings:
        $input = /\b(include|require)(_once)?\s*\(?\s*["']php:\/\/input/ nocase
        $hexpath = /\b(include|require)(_once)?\s*\(?\s*["'](\\x[0-9a-fA-F]{2}[^"'\\]?){6}/
    condition:
        any of them
}

rule SW_MAL_PHP_PersistentLoop
{
    meta:
        id = "SW-MAL-PHP-034"
        title = "PHP memory webshell: script deletes itself and keeps evaluating fetched code"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "unlink(__FILE__ / SCRIPT_FILENAME) plus ignore_user_abort and an endless loop that evaluates code: a PHP 'memory shell' that survives deletion of its file."
    strings:
        $unlink = /unlink\s*\(\s*(__FILE__|\$_SERVER\s*\[\s*["']SCRIPT_FILENAME["']\s*\])/ nocase
        $abort = /ignore_user_abort\s*\(\s*(true|1)\s*\)/ nocase
        $sink = /\b(eval|assert|file_put_contents|fwrite)\s*\(/ nocase
    condition:
        $unlink and $abort and $sink
}

rule SW_MAL_PHP_HiddenRemoteLoader
{
    meta:
        id = "SW-MAL-PHP-035"
        title = "PHP backdoor: hex-packed URL fetched and run, or decoded request body evaluated"
        severity = "critical"
        family = "webshell-php"
        attack = "T1105"
        references = "https://attack.mitre.org/techniques/T1105/"
        description = "pack('H*', '687474703a2f2f...') hides an http:// URL whose content is later evaluated; eval/gzuncompress of cached remote code or of the request body is the loader stage of PHP malware."
    strings:
        $hexurl = /pack\s*\(\s*["']H\*["']\s*,\s*["']687474703[aA]2[fF]2[fF]/
        $b64url = /base64_decode\s*\(\s*["']aHR0cDovL/
        $sink = /\b(eval|assert|preg_replace|create_function|gzuncompress|include)\b/ nocase
        $remote_eval = /\b(eval|assert)\s*\(\s*(@\s*)?(gzuncompress|gzinflate|base64_decode|str_rot13)?\s*\(?\s*(@\s*)?file_get_contents\s*\(\s*["'](https?|php):/ nocase
    condition:
        (($hexurl or $b64url) and $sink) or $remote_eval
}

rule SW_MAL_PHP_ShellToolkit
{
    meta:
        id = "SW-MAL-PHP-036"
        title = "PHP webshell: command console combined with a file manager and host reconnaissance"
        severity = "high"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "One page that runs OS commands through several different PHP process functions, browses/edits/uploads files and probes the host (uname, /etc/passwd, safe_mode, disable_functions, posix_getpwuid): the shape of c99/r57/WSO/b374k-like admin shells."
    strings:
        $x1 = /\bsystem\s*\(\s*\$/ nocase
        $x2 = /\bpassthru\s*\(\s*\$/ nocase
        $x3 = /\bshell_exec\s*\(\s*\$/ nocase
        $x4 = /\bpopen\s*\(\s*\$/ nocase
        $x5 = /\bproc_open\s*\(\s*\$/ nocase
        $x6 = /\bexec\s*\(\s*\$\w+\s*,/ nocase
        $r1 = "uname -a" nocase
        $r2 = "/etc/passwd"
        $r3 = "safe_mode" nocase
        $r4 = "disable_functions" nocase
        $r5 = "posix_getpwuid" nocase
        $r6 = "php_uname" nocase
        $r7 = /netstat\s+-an/ nocase
        $r8 = "getmyuid" nocase
        $r9 = /ps\s+-?aux/ nocase
        $r10 = "whoami" nocase
        $f1 = /move_uploaded_file\s*\(/ nocase
        $f2 = /\bunlink\s*\(/ nocase
        $f3 = /\brmdir\s*\(/ nocase
        $f4 = /\bchmod\s*\(/ nocase
        $f5 = /\bfileperms\s*\(/ nocase
        $f6 = /\breaddir\s*\(|\bscandir\s*\(/ nocase
        $f7 = /\bis_writable\s*\(/ nocase
        $f8 = /\bfilemtime\s*\(|\btouch\s*\(/ nocase
        $req = /\$_(POST|GET|REQUEST)\s*\[|\$HTTP_(POST|GET)_VARS/
    condition:
        $req and 2 of ($x*) and 3 of ($r*) and 4 of ($f*)
}

rule SW_MAL_PHP_RequestPathWrite
{
    meta:
        id = "SW-MAL-PHP-037"
        title = "PHP webshell: file written to a path chosen by the request (uploader / dropper)"
        severity = "high"
        family = "webshell-php"
        attack = "T1105"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "file_put_contents/fopen(...,'w') on a path taken straight from $_POST/$_GET/$_COOKIE/HTTP headers, or an upload copied to its client-supplied name: a stage-one dropper that lets anyone plant files."
    strings:
        $fpc = /file_put_contents\s*\(\s*(@\s*)?\$_(POST|GET|REQUEST|COOKIE|SERVER)\s*\[/ nocase
        $fopen = /fopen\s*\(\s*(@\s*)?\$_(POST|GET|REQUEST|COOKIE)\s*\[[^\]]{1,30}\]\s*,\s*["'][wax]/ nocase
        $upload = /(copy|move_uploaded_file)\s*\(\s*\$(_FILES|HTTP_POST_FILES)\s*\[[^\]]{1,30}\]\s*\[\s*["']tmp_name["']\s*\]\s*,\s*(\$_(POST|GET|REQUEST)\s*\[|\$_FILES\s*\[[^\]]{1,30}\]\s*\[\s*["']name["']\s*\]\s*\))/ nocase
    condition:
        any of them
}

rule SW_MAL_PHP_DynamicFunctionBody
{
    meta:
        id = "SW-MAL-PHP-038"
        title = "PHP webshell: create_function / XPath PHP functions with a decoded or request-supplied body"
        severity = "critical"
        family = "webshell-php"
        attack = "T1027"
        references = "https://www.php.net/manual/en/function.create-function.php"
        description = "create_function('', base64_decode(...)) or create_function(null, pack('H*', ...)) (or a body variable in a file that decodes data) compiles hidden code; an XPath query calling php:function('system', ...) after registerPHPFunctions() runs commands."
    strings:
        $cf = /create_function\s*\(\s*(null|["']["']|["']\$\w+["'])\s*,\s*(@\s*)?(pack|base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|file_get_contents|\$_(POST|GET|REQUEST|COOKIE))\s*[\(\[]/ nocase
        $xpath = /php:function(String)?\s*\(\s*\\?["'](system|exec|passthru|shell_exec|assert|popen|proc_open)\\?["']/ nocase
        $cfvar = /create_function\s*\(\s*(null|["']["'])\s*,\s*\$\w+\s*\)/ nocase
        $decoder = /\b(gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|convert_uudecode)\s*\(/ nocase
        $invoke = /(fromCallable\s*\([^;]{1,60}\)|new\s+ReflectionFunction\s*\([^;]{1,60}\))\s*->\s*(__invoke|invoke|invokeArgs)\s*\(\s*(array\s*\(\s*)?\$_(REQUEST|POST|GET|COOKIE)/ nocase
    condition:
        $cf or $xpath or $invoke or ($cfvar and $decoder)
}

rule SW_MAL_PHP_RequestFileBrowser
{
    meta:
        id = "SW-MAL-PHP-039"
        title = "PHP webshell: file browser over a request-chosen path (list, read, write, delete)"
        severity = "high"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "One page that lists directories and reads, writes, deletes or uploads files, where the directory or file comes from the request and links back to itself: a file-manager webshell, whatever its name or language."
    strings:
        $php = /<\?(php|=|\s)/ nocase
        $req = /\$_(POST|GET|REQUEST)\s*\[|\$HTTP_(POST|GET)_VARS/
        $list = /\b(opendir|scandir|glob|dir)\s*\(\s*@?\$/ nocase
        $read = /\breaddir\s*\(|\bscandir\s*\(/ nocase
        $o1 = /\bunlink\s*\(\s*["']?\$/ nocase
        $o2 = /\b(fwrite|fputs|file_put_contents)\s*\(\s*\$/ nocase
        $o3 = /\bmove_uploaded_file\s*\(/ nocase
        $o4 = /\b(fread|readfile|file_get_contents|highlight_file|show_source)\s*\(\s*@?\$\w+\s*[,)]/ nocase
        $o5 = /\b(chmod|rename|copy|rmdir|mkdir|touch)\s*\(\s*["']?\$/ nocase
        $self = /(href|action)\s*=\s*\\?["']?\s*(\?|\$PHP_SELF|["']\s*\.\s*\$_SERVER\s*\[\s*["'](PHP_SELF|SCRIPT_NAME))/ nocase
        $pathreq = /\b(opendir|scandir|chdir|readfile|unlink)\s*\(\s*@?(\w+\s*\(\s*)?\$_(GET|POST|REQUEST)\s*\[|\$\w+\s*=\s*(@\s*)?(\w+\s*\(\s*){0,2}\$_(GET|POST|REQUEST)\s*\[\s*["'](d|dir|path|folder|directory|cwd|fichero|dizin)["']\s*\]/ nocase
    condition:
        filesize < 256KB and $php and $req and $list and $read and ($self or $pathreq) and 3 of ($o*)
}

rule SW_MAL_PHP_PackedPayload
{
    meta:
        id = "SW-MAL-PHP-040"
        title = "PHP malware: large encoded literal decoded and executed"
        severity = "high"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "Kilobytes of base64/hex in string literals (often cut into chunks and concatenated) that pass through a decoder and then into eval, create_function, preg_replace or a variable function: the payload is hidden from review and from signatures."
    strings:
        $php = /<\?(php|=|\s)/ nocase
        $blob = /(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|convert_uudecode)\s*\(\s*((base64_decode|str_rot13|strrev)\s*\(\s*)?["'][A-Za-z0-9+\/]{1000}/ nocase
        $chunk = /["']\.\r?\n[ \t]*["'][A-Za-z0-9+\/]{60}/
        $decode = /\b(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|convert_uudecode|hex2bin)\s*\(/ nocase
        $e1 = /\b(eval|assert|create_function)\s*\(/ nocase
        $e2 = /\$\w+\s*\(\s*(@\s*)?\$\w+/
        $e3 = /preg_replace\s*\(\s*["'][^"']{1,40}e[imsxu]*["']/
    condition:
        $php and $decode and ($blob or #chunk >= 20) and any of ($e*)
}

rule SW_MAL_PHP_UnderscoreCallee
{
    meta:
        id = "SW-MAL-PHP-041"
        title = "PHP webshell: function called through a variable named only with underscores"
        severity = "high"
        family = "webshell-php"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "$_(...), $__(...), $___(...) call whatever function name the variable holds; obfuscators and one-liners name the variable that way so the callee (assert, system) never appears in the source. Combined with a decoder or request input."
    strings:
        $php = /<\?(php|=|\s)/ nocase
        $call = /@?\$_{1,8}\s*\(\s*(@\s*)?(\$|\w+\s*\(|["'])/
        $assign = /\$_{1,8}\s*=\s*(@\s*)?(\w+\s*\(|["'][^"']{1,20}["']\s*\.|\$_(POST|GET|REQUEST|COOKIE))/
        $src = /\$_(POST|GET|REQUEST|COOKIE|SERVER)\b|base64_decode|str_rot13|chr\s*\(|hexdec\s*\(|gzinflate|strrev/ nocase
    condition:
        filesize < 64KB and $php and $call and $assign and $src
}

rule SW_MAL_PHP_RequestCommand
{
    meta:
        id = "SW-MAL-PHP-042"
        title = "PHP webshell: OS command built from request parameters"
        severity = "critical"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "system/exec/passthru/shell_exec/popen/proc_open run a command that contains request data in the same statement, or a variable next to a request field named cmd/command/shell, or with stderr folded into the page (2>&1): a command console, however it is dressed. Request data passed through escapeshellarg() is an argument, not a command, and does not count."
    strings:
        $php = /<\?(php|=|\s)/ nocase
        $sinkreq = /\b(system|passthru|shell_exec|popen|proc_open|exec|pcntl_exec)\s*\([^;]{0,100}\$_(POST|GET|REQUEST|COOKIE)\b/ nocase
        $cmdparam = /\$_(POST|GET|REQUEST|COOKIE)\s*\[\s*["'](cmd|command|shell|exec|execute|cmnd|komut|kom)["']\s*\]/ nocase
        $sinkvar = /\b(system|passthru|shell_exec|popen|proc_open|exec)\s*\(\s*["']?\$\w+/ nocase
        $stderr = /\b(system|passthru|shell_exec|exec|popen)\s*\(\s*["']?\$\w+["']?\s*\.\s*["']\s*2>&1/ nocase
        $stderrstr = /["'][^"'\n]{0,60}(\$\w+|\{\$\w+\[[^\]]{1,20}\]\})[^"'\n]{0,20}2>&1/
        $req = /\$_(POST|GET|REQUEST|COOKIE)\s*\[|\$HTTP_(POST|GET)_VARS|php:\/\/input/
        $escaped = /\b(system|passthru|shell_exec|popen|proc_open|exec|pcntl_exec)\s*\([^;]{0,100}escapeshell(arg|cmd)\s*\(\s*\$_(POST|GET|REQUEST|COOKIE)\b/ nocase
    condition:
        $php and (#sinkreq > #escaped or ($cmdparam and $sinkvar) or ($stderr and $req)
                  or ($stderrstr and $sinkvar and $req))
}

rule SW_MAL_PHP_WindowsComShell
{
    meta:
        id = "SW-MAL-PHP-044"
        title = "PHP webshell: Windows shell or IIS metabase driven through COM"
        severity = "high"
        family = "webshell-php"
        attack = "T1505.003"
        references = "https://www.php.net/manual/en/class.com.php"
        description = "new COM('WScript.Shell'), 'Shell.Application' or 'IIS://localhost/w3svc' from a PHP page runs commands or enumerates the IIS sites the server hosts: the COM flavour of a command console, invisible to signatures that look for system()/exec()."
    strings:
        $php = /<\?(php|=|\s)/ nocase
        $com = /new\s+COM\s*\(\s*["'](WScript\.Shell|Shell\.Application|WScript\.Network|IIS:\/\/)/ nocase
        $dotnet = /new\s+DOTNET\s*\(\s*["'][^"']{0,40}["']\s*,\s*["']System\.Diagnostics\.Process/ nocase
    condition:
        $php and ($com or $dotnet)
}

rule SW_MAL_PHP_DisableFunctionsBypass
{
    meta:
        id = "SW-MAL-PHP-045"
        title = "PHP exploit: disable_functions bypass by memory corruption (UAF leak and zif_system call)"
        severity = "critical"
        family = "webshell-php"
        attack = "T1068"
        references = "https://github.com/mm0r1/exploits"
        description = "Scripts that leak and write PHP's own memory (str2ptr/ptr2str, pack('Q'), parsing the ELF of the running php binary) to find zif_system and call it with disable_functions in force: the stage a webshell uses when exec() is disabled (often an include without its own PHP open tag)."
    strings:
        $fn = /function\s+\w+\s*\(/
        $p1 = /function\s+str2ptr\s*\(/ nocase
        $p2 = /function\s+ptr2str\s*\(/ nocase
        $p3 = /zif_system|get_binary_base|parse_elf|basic_funcs/ nocase
        $p4 = /pack\s*\(\s*["']Q/
        $p5 = /function\s+leak\s*\(/ nocase
    condition:
        $fn and 3 of ($p*)
}

rule SW_MAL_PHP_MysqlFilePrivesc
{
    meta:
        id = "SW-MAL-PHP-046"
        title = "PHP webshell: MySQL writes a MOF or UDF library into a system directory"
        severity = "critical"
        family = "webshell-php"
        attack = "T1068"
        references = "https://attack.mitre.org/techniques/T1068/"
        description = "SELECT ... INTO DUMPFILE into Windows' wbem\\mof folder or MySQL's plugin directory (lib_mysqludf_sys, sys_exec/sys_eval): the database server is made to plant code that runs as SYSTEM/mysql."
    strings:
        $php = /<\?(php|=|\s)/ nocase
        $dump = /into\s+dumpfile/ nocase
        $target = /wbem[\/\\]+mof|lib_mysqludf|udf\.(dll|so)|\bsys_(exec|eval)\b|plugin_dir/ nocase
    condition:
        $php and $dump and $target
}
