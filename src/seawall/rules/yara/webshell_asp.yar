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
