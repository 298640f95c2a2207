// seawall first-party rules: the EICAR anti-malware test file (Apache-2.0).
// The test string is written as two hex halves so this file is not itself
// flagged by antivirus on a developer machine.

rule SW_MAL_TEST_Eicar
{
    meta:
        id = "SW-MAL-TEST-001"
        title = "EICAR anti-malware test file"
        severity = "medium"
        family = "test-file"
        references = "https://www.eicar.org/download-anti-malware-testfile/"
        description = "The standard EICAR test string: harmless, used to check that malware scanning works."
    strings:
        $head = { 58 35 4F 21 50 25 40 41 50 5B 34 5C 50 5A 58 35 34 28 50 5E 29 37 43 43 29 37 7D 24 }
        $tail = { 45 49 43 41 52 2D 53 54 41 4E 44 41 52 44 2D 41 4E 54 49 56 49 52 55 53 2D 54 45 53 54 2D 46 49 4C 45 21 24 48 2B 48 2A }
    condition:
        filesize <= 128 and $head at 0 and $tail at 28
}
