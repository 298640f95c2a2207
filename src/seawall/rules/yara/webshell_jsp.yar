// seawall first-party rules: JSP / JSPX webshells (Apache-2.0, written for seawall).

rule SW_MAL_JSP_RequestToExec
{
    meta:
        id = "SW-MAL-JSP-001"
        title = "JSP webshell: request parameter executed as an OS command"
        severity = "critical"
        family = "webshell-jsp"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A JSP page runs Runtime.exec()/ProcessBuilder on data from the HTTP request."
    strings:
        $direct = /(getRuntime\s*\(\s*\)\s*\.\s*exec|new\s+ProcessBuilder)\s*\([^;]{0,120}request\s*\.\s*getParameter/
        $exec = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(|new\s+ProcessBuilder\s*\(|ProcessImpl|UNIXProcess/
        $param = /(request\s*\.\s*|getRequest\s*\(\s*\)\s*\.\s*)getParameter\s*\(/
        $jsp = /<%|<jsp:|jsp:scriptlet|jsp:declaration/
        $cmd = /["'](cmd\.exe|\/bin\/(ba)?sh|cmd|\/c|-c)["']/
        $out = /\.getInputStream\s*\(\s*\)/
        $upload = /FileOutputStream\s*\([^;]{0,120}getParameter[^;]{0,120}\)\s*\.\s*write\s*\([^;]{0,40}getParameter/
    condition:
        $direct or $upload or ($jsp and $exec and $param and ($cmd or $out))
}

rule SW_MAL_JSP_ClassLoaderShell
{
    meta:
        id = "SW-MAL-JSP-002"
        title = "JSP webshell: request body decrypted and loaded as a Java class (Behinder/Godzilla style)"
        severity = "critical"
        family = "webshell-jsp"
        attack = "T1505.003"
        references = "https://github.com/rebeyond/Behinder"
        description = "A ClassLoader subclass calls defineClass() on bytes decrypted from the request: the loader of Behinder (冰蝎), Godzilla (哥斯拉) and AntSword JSP shells."
    strings:
        $loader = /extends\s+ClassLoader/
        $define = /defineClass\s*\(/
        $refl = /getDeclaredMethod\s*\(\s*["']defineClass["']/
        $cipher = /Cipher\s*\.\s*getInstance\s*\(/
        $b64 = /(BASE64Decoder|Base64\s*\.\s*getDecoder|decodeBuffer|base64Decode|Base64\.decode)/
        $req = /request\s*\.\s*(getReader|getInputStream|getParameter)|pageContext|getParameter/
        $jsp = /<%|<jsp:|jsp:scriptlet|jsp:declaration/
    condition:
        $jsp and (($loader and $define) or $refl) and ($req or $cipher or $b64)
}

rule SW_MAL_JSP_Behinder
{
    meta:
        id = "SW-MAL-JSP-010"
        title = "Behinder (冰蝎) JSP webshell"
        severity = "critical"
        family = "webshell-behinder"
        attack = "T1505.003"
        references = "https://github.com/rebeyond/Behinder"
        description = "Behinder's JSP server: an AES key in the session ('u') and a class U defined from the decrypted request."
    strings:
        $u = /class\s+U\s+extends\s+ClassLoader/
        $sess = /session\s*\.\s*(putValue|setAttribute)\s*\(\s*["']u["']/
        $aes = /Cipher\s*\.\s*getInstance\s*\(\s*["']AES["']\s*\)/
    condition:
        $u and ($sess or $aes)
}

rule SW_MAL_JSP_Godzilla
{
    meta:
        id = "SW-MAL-JSP-011"
        title = "Godzilla (哥斯拉) JSP webshell"
        severity = "critical"
        family = "webshell-godzilla"
        attack = "T1505.003"
        references = "https://github.com/BeichenDream/Godzilla"
        description = "Godzilla's JSP/JSPX server: md5(pass+key) marker, AES payload kept in the session as 'payload'."
    strings:
        $md5 = /String\s+md5\s*=\s*md5\s*\(\s*pass\s*\+\s*xc\s*\)/
        $xc = /String\s+xc\s*=\s*["'][0-9a-f]{16}["']/
        $payload = /getAttribute\s*\(\s*["']payload["']\s*\)/
        $loader = /extends\s+ClassLoader/
    condition:
        ($md5 or $xc or $payload) and $loader
}

rule SW_MAL_JSP_ChinaChopper
{
    meta:
        id = "SW-MAL-JSP-012"
        title = "China Chopper (中国菜刀) / AntSword JSP server"
        severity = "critical"
        family = "webshell-chinachopper"
        attack = "T1505.003"
        references = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-i"
        description = "The Chopper JSP server's command dispatcher: single-letter actions (A..Q) mapped to file-system, database and command functions over an encoded request parameter."
    strings:
        $z = /request\s*\.\s*getParameter\s*\(\s*["']z[0-9]["']\s*\)/
        $cs = /String\s+cs\s*=\s*request\s*\.\s*getParameter/
        $e = /EC\s*\(\s*request\s*\.\s*getParameter/
        $z0 = /["']z0["']/
    condition:
        ($z and $z0) or $cs or $e
}

rule SW_MAL_JSP_FileManager
{
    meta:
        id = "SW-MAL-JSP-003"
        title = "JSP webshell: file manager / command console toolkit"
        severity = "high"
        family = "webshell-jsp"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A JSP page combines OS command execution with file browsing/upload over request parameters (JspSpy, jshell, cmdjsp style)."
    strings:
        $exec = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(|new\s+ProcessBuilder\s*\(/
        $param = /(request\s*\.\s*|getRequest\s*\(\s*\)\s*\.\s*)getParameter\s*\(/
        $f1 = /new\s+File(Output|Input)Stream\s*\(/
        $f2 = /\.listFiles\s*\(\s*\)/
        $f3 = /\.delete\s*\(\s*\)/
        $n1 = "JspSpy" nocase
        $n2 = "jshell" nocase
        $n3 = "webshell" nocase
        $n4 = "cmdjsp" nocase
        $n5 = "ShellCommand" nocase
        $jsp = /<%|<jsp:/
    condition:
        $jsp and $param and (($exec and 2 of ($f*)) or ($exec and any of ($n*)) or (any of ($n*) and 2 of ($f*)))
}

rule SW_MAL_JSP_MemoryShell
{
    meta:
        id = "SW-MAL-JSP-004"
        title = "JSP memory webshell: registers a servlet, filter, listener or WebSocket endpoint at run time"
        severity = "critical"
        family = "webshell-jsp"
        attack = "T1505.003"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A JSP page that registers a new request handler in the running container (memory shell) and executes commands from it."
    strings:
        $ws = /ServerEndpointConfig\s*\.\s*Builder\s*\.\s*create/
        $filter = /(addFilterDef|addFilterMapBefore|FilterDef\s*\(|addServletMappingDecoded|addApplicationEventListener|registerServlet)/
        $exec = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(|new\s+ProcessBuilder\s*\(/
    condition:
        ($ws or $filter) and $exec
}

rule SW_MAL_JSP_RequestFileWrite
{
    meta:
        id = "SW-MAL-JSP-005"
        title = "JSP webshell: small page writing request data to a request-named file"
        severity = "high"
        family = "webshell-jsp"
        attack = "T1105"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A few-KB JSP whose FileOutputStream/FileWriter path and content both come from request parameters or the request body: the JSP uploader used to plant a full webshell."
    strings:
        $jsp = /<%|<jsp:/
        $out = /new\s+(FileOutputStream|FileWriter|RandomAccessFile|PrintWriter|PrintStream)\s*\(/
        $direct = /new\s+(FileOutputStream|FileWriter|File)\s*\([^;]{0,80}(getParameter|getRealPath\s*\([^;]{0,20}\)\s*\+\s*request)/
        $strparam = /String\s+\w+\s*=\s*(new\s+String\s*\(\s*)?request\s*\.\s*getParameter\s*\(/
        $body = /request\s*\.\s*getInputStream\s*\(/
        $pathparam = /getParameter\s*\(\s*"(path|file|filename|filepath|fname|f|p|url|name|dir)"\s*\)/ nocase
    condition:
        filesize < 8KB and $jsp and $out and ($direct or ($pathparam and (#strparam >= 2 or $body)))
}

rule SW_MAL_JSP_ReverseShell
{
    meta:
        id = "SW-MAL-JSP-006"
        title = "JSP reverse shell: socket to a request-given host piped into a spawned shell"
        severity = "critical"
        family = "webshell-jsp"
        attack = "T1059"
        references = "https://attack.mitre.org/techniques/T1059/"
        description = "new Socket(host, port) plus Runtime.exec of a shell with its streams copied to the socket."
    strings:
        $jsp = /<%|<jsp:/
        $sock = /new\s+Socket\s*\(/
        $exec = /\.exec\s*\(\s*["'](cmd\.exe|\/bin\/(ba)?sh|cmd)["']|getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(|new\s+ProcessBuilder\s*\(/
        $pipe = /getOutputStream\s*\(\s*\)/
    condition:
        $jsp and $sock and $exec and $pipe
}

rule SW_MAL_JSP_FileBrowser
{
    meta:
        id = "SW-MAL-JSP-007"
        title = "JSP webshell: lists directories and dumps files named by a request parameter"
        severity = "high"
        family = "webshell-jsp"
        attack = "T1083"
        references = "https://attack.mitre.org/techniques/T1083/"
        description = "new File(request.getParameter(...)) listed with list()/listFiles() and read back to the client: an arbitrary file browser."
    strings:
        $jsp = /<%|<jsp:/
        $file = /new\s+File\s*\(\s*request\s*\.\s*getParameter/
        $list = /\.list(Files)?\s*\(\s*\)/
        $read = /new\s+(FileReader|FileInputStream|BufferedReader)\s*\(/
    condition:
        $jsp and $file and $list and $read
}

rule SW_MAL_JSP_UnicodeEscapedCode
{
    meta:
        id = "SW-MAL-JSP-013"
        title = "JSP webshell: scriptlet code written as \\u escapes"
        severity = "high"
        family = "webshell-jsp"
        attack = "T1027"
        references = "https://docs.oracle.com/javase/specs/jls/se17/html/jls-3.html#jls-3.3"
        description = "The Java compiler turns \\uXXXX escapes into characters before it parses, so whole statements can be written as escapes that no signature sees. Legitimate pages escape a character in a string, never forty in a row."
    strings:
        $jsp = /<%|<jsp:/
        $esc = /(\\u+00[0-9a-fA-F]{2}){40}/
    condition:
        $jsp and $esc
}

rule SW_MAL_JSP_EmbeddedClassBytes
{
    meta:
        id = "SW-MAL-JSP-014"
        title = "JSP webshell: Java class bytecode embedded in the page and loaded at run time"
        severity = "critical"
        family = "webshell-jsp"
        attack = "T1620"
        references = "https://attack.mitre.org/techniques/T1620/"
        description = "A page carrying a compiled class as base64 ('yv66vg' is 0xCAFEBABE) or hex that it defines through a ClassLoader or reflection, or a whole class file inlined as a Java String constant: how memory shells (Tomcat filter/valve injectors) and Behinder payloads are delivered."
    strings:
        $jsp = /<%|<jsp:|jsp:scriptlet|jsp:declaration/
        $b64 = /["']yv66vg[A-Za-z0-9+\/]{200}/
        $hex = /["']cafebabe[0-9a-f]{200}/ nocase
        $load = /defineClass|ClassLoader|getDeclaredMethod|newInstance\s*\(|loadClass/
        $inlined = /String\s+\w+\s*=\s*"yv66vg[A-Za-z0-9+\/]{4000}/
    condition:
        ($jsp and ($b64 or $hex) and $load) or $inlined
}

rule SW_MAL_JSP_InterpreterEval
{
    meta:
        id = "SW-MAL-JSP-015"
        title = "JSP webshell: request data evaluated by an embedded script interpreter"
        severity = "critical"
        family = "webshell-jsp"
        attack = "T1059"
        references = "https://attack.mitre.org/techniques/T1505/003/"
        description = "A JSP hands request input to a script engine (javax.script, Jython, Groovy, BeanShell, EL, SpEL, OGNL): arbitrary code execution without Runtime.exec in sight."
    strings:
        $jsp = /<%|<jsp:|jsp:scriptlet/
        $engine = /ScriptEngineManager|PythonInterpreter|GroovyShell|bsh\.Interpreter|new\s+Interpreter\s*\(|ELProcessor|SpelExpressionParser|Ognl\s*\.\s*getValue|JexlEngine|MVEL\s*\.\s*eval/
        $runreq = /\.\s*(eval|exec|evaluate|parseExpression|getValue|createExpression)\s*\([^;]{0,80}request\s*\.\s*(getParameter|getInputStream|getReader|getHeader)\s*\(/
        $runvar = /\.\s*(eval|exec|evaluate|parseExpression|getValue|createExpression)\s*\(\s*\w{1,30}\s*[,)]/
        $strparam = /String\s+\w+\s*=\s*request\s*\.\s*(getParameter|getHeader)\s*\(/
    condition:
        $jsp and $engine and ($runreq or ($runvar and $strparam))
}
