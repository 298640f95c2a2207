// seawall first-party rules: classic ASP and ASP.NET webshells (Apache-2.0).

rule SW_MAL_ASP_RequestToEval
{
    meta:
        id = "SW-MAL-ASP-001"
        title = "ASP webshell: request data evaluated as script (China Chopper style one-liner)"
        severity = "critical"
        family = "webshell-asp"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "Eval/Execute/ExecuteGlobal of Request(...) in an ASP/ASPX page runs attacker-supplied code."
    strings:
        $e1 = /(eval|execute|executeglobal)\s*[\( ]\s*request\s*[\(\.\[]/ nocase
        $e2 = /eval\s*\(\s*Request\s*\.\s*(Item|Form|QueryString)\s*\[[^\]]{1,40}\]\s*,\s*["']unsafe["']/ nocase
        $e3 = /(eval|execute|executeglobal)\s*\(?\s*(unescape|decode|base64decode)?\s*\(?\s*request\s*\(/ nocase
        $e4 = /eval\s*\(\s*\w{1,30}\s*,\s*["'](unsafe|\\x75)/ nocase
        $e5 = /(execute|executeglobal|eval)\s*\(?\s*unescape\s*\(\s*["'][^"']{0,40}request/ nocase
        $var = /\b(\w{1,20})\s*=\s*request\s*\(\s*["'][^"']{1,20}["']\s*\)/ nocase
        $evalvar = /\b(eval|execute|executeglobal)\s+\w{1,20}\s*(\r?\n|%>|:)/ nocase
        $asp = /<%|runat\s*=\s*["']?server/ nocase
    condition:
        $asp and (any of ($e1, $e2, $e3, $e4, $e5) or ($var and $evalvar))
}

rule SW_MAL_ASP_CommandShell
{
    meta:
        id = "SW-MAL-ASP-002"
        title = "ASP webshell: request data run through WScript.Shell / cmd.exe"
        severity = "critical"
        family = "webshell-asp"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "An ASP page creates WScript.Shell/Shell.Application and runs commands from request parameters."
    strings:
        $wsh = /(WScript\.Shell|Shell\.Application|WSCRIPT\.NETWORK|\{72C24DD5-D70A-438B-8A42-98424B88AFB8\}|\{13709620-C279-11CE-A49E-444553540000\})/ nocase
        $run = /\.(exec|run|ShellExecute)\s*[\( ]/ nocase
        $cmd = /cmd(\.exe)?\s*\/c/ nocase
        $req = /request\s*[\(\.]/ nocase
        $asp = /<%/
    condition:
        $asp and $wsh and $run and $req and ($cmd or #req > 2)
}

rule SW_MAL_ASPX_ProcessShell
{
    meta:
        id = "SW-MAL-ASP-003"
        title = "ASP.NET webshell: request data started as a process"
        severity = "critical"
        family = "webshell-aspx"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "An ASPX/ASHX page starts cmd.exe or an arbitrary process with arguments from the request."
    strings:
        $ps = /(Process\s*\.\s*Start|new\s+ProcessStartInfo|ProcessStartInfo\s*\()/ nocase
        $cmd = /cmd(\.exe)?|powershell/ nocase
        $req = /Request\s*(\.\s*(Form|QueryString|Params|Item)|\[)/ nocase
        $page = /<%@\s*(Page|WebHandler|WebService)|runat\s*=\s*["']?server/ nocase
        $redir = "RedirectStandardOutput" nocase
        $text = /\w+\.text\b/ nocase
    condition:
        $page and $ps and (($cmd and $req) or ($redir and ($req or $text)))
}

rule SW_MAL_ASPX_AssemblyLoad
{
    meta:
        id = "SW-MAL-ASP-004"
        title = "ASP.NET webshell: request body decrypted and loaded as an assembly (Behinder/Godzilla/AntSword)"
        severity = "critical"
        family = "webshell-aspx"
        attack = "T1505.003"
        references = "https://github.com/BeichenDream/Godzilla"
        description = "Assembly.Load() of bytes decrypted or decoded from the request: the .NET loader of Behinder (冰蝎), Godzilla (哥斯拉) and AntSword."
    strings:
        $load = /(Assembly\s*\.\s*Load|System\.Reflection\.Assembly)/ nocase
        $crypt = /(RijndaelManaged|AesManaged|Convert\s*\.\s*FromBase64String|CreateDecryptor|TransformFinalBlock)/ nocase
        $req = /Request\s*(\.\s*(Form|BinaryRead|InputStream|Params|Item)|\[)/ nocase
        $inst = /CreateInstance\s*\(/ nocase
    condition:
        $load and $crypt and $req and $inst
}

rule SW_MAL_ASP_FileManager
{
    meta:
        id = "SW-MAL-ASP-005"
        title = "ASP webshell: file manager / command console toolkit"
        severity = "high"
        family = "webshell-asp"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "An ASP page combines Scripting.FileSystemObject or ADODB.Stream file access with command execution or a shell name."
    strings:
        $fso = /Scripting\.FileSystemObject|ADODB\.Stream/ nocase
        $wsh = /WScript\.Shell|Shell\.Application/ nocase
        $n1 = "webshell" nocase
        $n2 = "hacked by" nocase
        $n3 = "backdoor" nocase
        $n4 = "cmdasp" nocase
        $n5 = "aspxspy" nocase
        $n6 = "ASPXSpy" nocase
        $req = /request\s*[\(\.]/ nocase
        $asp = /<%/
    condition:
        $asp and $req and (($fso and $wsh) or (any of ($n*) and ($fso or $wsh)) or $n5)
}

rule SW_MAL_ASP_DecodedExecute
{
    meta:
        id = "SW-MAL-ASP-006"
        title = "ASP webshell: Execute/Eval of a string decoded at run time"
        severity = "critical"
        family = "webshell-asp"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "Execute/ExecuteGlobal/Eval applied to a helper function over a literal (StrReverse, Chr(x-n) arithmetic, '&H' hex decoding, Replace of junk): VBScript code hidden from signature scanners, or code replayed from the Session."
    strings:
        $asp = /<%|runat\s*=\s*["']?server/ nocase
        $exec_lit = /\b(execute|executeglobal|eval)\s*\(?\s*\w{1,30}\s*\(\s*"/ nocase
        $exec_sess = /\b(execute|executeglobal|eval)\s*\(?\s*session\s*\(/ nocase
        $dec1 = /chr\s*\(\s*\(?\s*(\w{1,20}\s*\(\s*\w{1,10}\s*\)|"&H"\s*&|\w{1,10})\s*\)?\s*-\s*(\d{1,3}|\w{1,10})\s*\)/ nocase
        $dec2 = /StrReverse\s*\(/ nocase
        $dec3 = /chr\s*\(\s*["']&H["']\s*&/ nocase
        $req = /request\s*[\(\.]/ nocase
    condition:
        $asp and (($exec_lit and any of ($dec*)) or ($exec_sess and $req))
}

rule SW_MAL_ASP_ScriptControl
{
    meta:
        id = "SW-MAL-ASP-007"
        title = "ASP webshell: script engine object fed the Request object and asked to evaluate"
        severity = "critical"
        family = "webshell-asp"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A ScriptControl-like COM object gets Request/Response via AddObject and runs ExecuteStatement/Eval: eval(request(...)) moved into a second script engine."
    strings:
        $asp = /<%/
        $add = /\.AddObject\s+[^\r\n]{0,40}(request|"r"\s*&)/ nocase
        $run = /\.(ExecuteStatement|Eval|AddCode|Run)\s*[\( ]/ nocase
    condition:
        $asp and $add and $run
}

rule SW_MAL_ASP_JScriptEval
{
    meta:
        id = "SW-MAL-ASP-008"
        title = "ASP/ASPX webshell: server-side JScript eval with a second (unsafe) argument"
        severity = "critical"
        family = "webshell-aspx"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "JScript.NET's eval(code, 'unsafe') runs arbitrary code with full trust; webshells split the call with comments and build 'unsafe' from pieces."
    strings:
        $js = /language\s*=\s*["']?J(ava)?Script/ nocase
        $server = /runat\s*=\s*["']?server|<%@\s*Page/ nocase
        $eval2 = /\beval\s*(\/\*([^*]|\*[^\/]){0,30}\*\/|\s)*\((\/\*([^*]|\*[^\/]){0,30}\*\/|\s)*\w{1,30}(\/\*([^*]|\*[^\/]){0,30}\*\/|\s)*,/
        $unsafe = /["']u["']\s*\+\s*["']n|["']uns["']|["']un["']\s*\+|["']u["'];|\+\s*["']afe["']|=\s*["']afe["']|["']unsafe["']/ nocase
    condition:
        $js and $server and $eval2 and $unsafe
}

rule SW_MAL_ASP_EncodedScript
{
    meta:
        id = "SW-MAL-ASP-009"
        title = "ASP page with Microsoft Script Encoder obfuscated server code"
        severity = "high"
        family = "webshell-asp"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "<%@ LANGUAGE = VBScript.Encode %> pages hide their server-side code with the Script Encoder (#@~^...^#~@ blocks); in a container image such a page is almost always a packed webshell."
    strings:
        $lang = /<%@\s*LANGUAGE\s*=\s*["']?(VBScript|JScript)\.Encode/ nocase
        $block = /#@~\^[A-Za-z0-9+\/]{6}==/
    condition:
        $lang and $block
}

rule SW_MAL_ASP_DownloadAndRun
{
    meta:
        id = "SW-MAL-ASP-010"
        title = "ASP dropper: downloads a file with XMLHTTP/ADODB.Stream and runs it with WScript.Shell"
        severity = "critical"
        family = "webshell-asp"
        attack = "T1105"
        references = "https://attack.mitre.org/techniques/T1105/"
        description = "An ASP page (or the VBScript it writes to disk) fetches a binary over HTTP, saves it with ADODB.Stream and starts it: a server-side downloader."
    strings:
        $asp = /<%/
        $http = /(Microsoft|MSXML2)\.(XMLHTTP|ServerXMLHTTP)/ nocase
        $stream = "ADODB.Stream" nocase
        $save = "SaveToFile" nocase
        $wsh = "WScript.Shell" nocase
        $run = /\.Run\s/ nocase
    condition:
        $asp and $http and $stream and $save and $wsh and $run
}

rule SW_MAL_ASP_RequestFileWrite
{
    meta:
        id = "SW-MAL-ASP-011"
        title = "ASP webshell: small page writing request content to a request-named file"
        severity = "high"
        family = "webshell-asp"
        attack = "T1105"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A few-KB ASP page that takes both a file name and its content from Request and writes them with FileSystemObject/ADODB.Stream: the classic ASP 'small horse' uploader used to plant a full webshell."
    strings:
        $asp = /<%/
        $fso = /Scripting\.FileSystemObject|ADODB\.Stream/ nocase
        $create = /(CreateTextFile|OpenTextFile|SaveToFile)/ nocase
        $write = /\.(write|writeline)\s*[\( ]/ nocase
        $reqvar = /=\s*request\s*(\.\s*(form|querystring)\s*)?\(\s*"/ nocase
        $mappath = /(CreateTextFile|OpenTextFile|SaveToFile)\s*\(?\s*(server\.mappath\s*\(\s*)?(request|\w{1,20}\s*\)?\s*,)/ nocase
        $writereq = /\.(write|writeline)\s*\(?[^\r\n]{0,20}request\s*(\.\s*form\s*)?\(/ nocase
    condition:
        filesize < 8KB and $asp and $fso and $create and $write and $mappath and #reqvar >= 1 and (#reqvar >= 2 or $writereq)
}

rule SW_MAL_ASPX_ProcessObject
{
    meta:
        id = "SW-MAL-ASP-012"
        title = "ASP.NET webshell: Process object started with cmd.exe and request/form input"
        severity = "critical"
        family = "webshell-aspx"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "new Process() with StartInfo.FileName/Arguments set from page input and output redirected back to the page."
    strings:
        $page = /<%@\s*(Page|WebHandler|WebService)|runat\s*=\s*["']?server/ nocase
        $proc = /new\s+(System\.Diagnostics\.)?Process\s*\(\s*\)/ nocase
        $si = /StartInfo\s*\.\s*(FileName|Arguments)\s*=/ nocase
        $redir = "RedirectStandardOutput" nocase
        $in = /Request\s*(\.\s*(Form|QueryString|Params|Item)|\[)|\w+\.Text\b/ nocase
        $cmd = /cmd(\.exe)?|powershell/ nocase
    condition:
        $page and $proc and $si and $redir and $in and $cmd
}

rule SW_MAL_ASP_RemoteScriptDrop
{
    meta:
        id = "SW-MAL-ASP-013"
        title = "ASP dropper: remote content saved as a server script (.asp/.aspx/.php/.jsp)"
        severity = "critical"
        family = "webshell-asp"
        attack = "T1105"
        references = "https://attack.mitre.org/techniques/T1105/"
        description = "XMLHTTP download written with ADODB.Stream SaveToFile to a file with a server-script extension: a page that plants a webshell fetched from elsewhere."
    strings:
        $asp = /<%/
        $http = /(Microsoft|MSXML2)\.(XMLHTTP|ServerXMLHTTP)/ nocase
        $stream = "ADODB.Stream" nocase
        $save = /SaveToFile\s*\(?\s*"[^"\r\n]{1,200}\.(asp|aspx|asa|cer|cdx|php|jsp|ashx)"/ nocase
    condition:
        $asp and $http and $stream and $save
}

rule SW_MAL_ASP_EncodedCodePage
{
    meta:
        id = "SW-MAL-ASP-014"
        title = "ASP page declared as UTF-7 (codepage 65000) to hide its script"
        severity = "high"
        family = "webshell-asp"
        attack = "T1027"
        references = "https://attack.mitre.org/techniques/T1027/"
        description = "<%@codepage=65000%> makes IIS decode the page as UTF-7, so +AHIAZQ...- runs are script that no text scanner sees; legitimate pages have no reason to use UTF-7."
    strings:
        $cp = /<%@\s*codepage\s*=\s*["']?65000/ nocase
        $utf7 = /\n\+A[A-Za-z0-9+\/]{16}/
    condition:
        $cp and $utf7
}

rule SW_MAL_ASP_XsltScript
{
    meta:
        id = "SW-MAL-ASP-015"
        title = "ASP webshell: XSLT with an embedded msxsl:script block run by the page"
        severity = "high"
        family = "webshell-asp"
        attack = "T1220"
        references = "https://attack.mitre.org/techniques/T1220/"
        description = "An ASP page loads an XSL stylesheet containing msxsl:script and calls transformNode: script execution through XSLT, used to get past filters on Execute/WScript.Shell."
    strings:
        $asp = /<%/
        $msxsl = "msxsl:script" nocase
        $transform = /transformNode(ToObject)?\s*[\( ]/ nocase
        $shell = /WScript\.Shell|cmd\s*\/c|\.Exec\s*\(|\.Run\s*\(/ nocase
    condition:
        $asp and $msxsl and $transform and $shell
}

rule SW_MAL_ASPX_FileBrowser
{
    meta:
        id = "SW-MAL-ASP-016"
        title = "ASP.NET webshell: lists directories and sends back any file named in the request"
        severity = "high"
        family = "webshell-aspx"
        attack = "T1083"
        references = "https://attack.mitre.org/techniques/T1083/"
        description = "A page that enumerates a request-given directory (GetDirectories/GetFiles) and streams a request-given file with Response.WriteFile/TransmitFile: an arbitrary file browser and downloader."
    strings:
        $page = /<%@\s*(Page|WebHandler)/ nocase
        $send = /Response\s*\.\s*(WriteFile|TransmitFile)\s*\(/ nocase
        $enum = /\.(GetDirectories|GetFiles)\s*\(/ nocase
        $reqpath = /Request\s*\.\s*(Params|QueryString|Form|Item)?\s*\[\s*"(file|path|dir|directory|folder|f|d|p)"\s*\]/ nocase
    condition:
        $page and $send and $enum and $reqpath
}

rule SW_MAL_ASPX_SqlConsole
{
    meta:
        id = "SW-MAL-ASP-017"
        title = "ASP.NET webshell: SQL console running page-supplied SQL on a page-supplied connection"
        severity = "high"
        family = "webshell-aspx"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "Both the connection string and the SQL text come from form fields: a generic database console dropped next to an application to reach its database."
    strings:
        $page = /<%@\s*Page/ nocase
        $conn = /ConnectionString\s*=\s*(\w{1,40}\.Text|Request\s*[\.\[])/ nocase
        $cmd = /new\s+(SqlCommand|OleDbCommand|OdbcCommand)\s*\(\s*(\w{1,40}\.Text|Request\s*[\.\[])/ nocase
    condition:
        $page and $conn and $cmd
}

rule SW_MAL_ASP_JScriptRequestEval
{
    meta:
        id = "SW-MAL-ASP-018"
        title = "ASP webshell: server-side JScript evaluating request data (eval called or aliased)"
        severity = "critical"
        family = "webshell-asp"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A classic-ASP or ASP.NET page in JScript that reads Request and passes it to eval, directly or through an alias ({'E': eval}, var f = eval): the JScript flavour of the China Chopper one-liner."
    strings:
        $js = /language\s*=\s*["']?J(ava)?Script/ nocase
        $server = /runat\s*=\s*["']?server|<%/ nocase
        $req = /Request\s*(\.\s*(Form|QueryString|Item)\s*)?[\(\[]/ nocase
        $alias = /[:=,(]\s*eval\s*[,;})\]]/
        $call = /\beval\s*\(\s*(String\s*\(\s*)?Request\s*(\.\s*(Form|QueryString|Item)\s*)?[\(\[]/ nocase
    condition:
        $js and $server and $req and ($alias or $call)
}
