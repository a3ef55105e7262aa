/**
 * The PowerShell (Windows PowerShell 5.1) program behind
 * WindowsCredentialTokenStore: Credential Manager primitives through
 * advapi32 (CredEnumerateW, CredWriteW, CredDeleteW). It reads one JSON
 * request on standard input, so no secret appears on a command line:
 *
 * - `{"op":"list","filter":"ccgate/session*"}` prints `target<TAB>value` lines;
 * - `{"op":"write","filter":...,"writes":[{"target":...,"value":...}]}` writes
 *   in order, then deletes every other credential matching the filter;
 * - `{"op":"clear","filter":...}` deletes every credential matching the filter.
 */
export const _WINDOWS_CREDENTIAL_SCRIPT = String.raw`
$ErrorActionPreference = 'Stop'
Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
public static class CcgateCredentials {
  [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
  private struct CREDENTIAL {
    public int Flags; public int Type; public string TargetName; public string Comment;
    public System.Runtime.InteropServices.ComTypes.FILETIME LastWritten;
    public int CredentialBlobSize; public IntPtr CredentialBlob; public int Persist;
    public int AttributeCount; public IntPtr Attributes; public string TargetAlias; public string UserName;
  }
  [DllImport("advapi32.dll", EntryPoint = "CredWriteW", CharSet = CharSet.Unicode, SetLastError = true)]
  private static extern bool CredWrite(ref CREDENTIAL credential, int flags);
  [DllImport("advapi32.dll", EntryPoint = "CredEnumerateW", CharSet = CharSet.Unicode, SetLastError = true)]
  private static extern bool CredEnumerate(string filter, int flags, out int count, out IntPtr credentials);
  [DllImport("advapi32.dll", EntryPoint = "CredDeleteW", CharSet = CharSet.Unicode, SetLastError = true)]
  private static extern bool CredDelete(string target, int type, int flags);
  [DllImport("advapi32.dll")]
  private static extern void CredFree(IntPtr buffer);
  private const int GENERIC = 1;
  private const int NOT_FOUND = 1168;
  public static Dictionary<string, string> List(string filter) {
    var result = new Dictionary<string, string>();
    int count; IntPtr list;
    if (!CredEnumerate(filter, 0, out count, out list)) {
      int error = Marshal.GetLastWin32Error();
      if (error == NOT_FOUND) return result;
      throw new System.ComponentModel.Win32Exception(error);
    }
    try {
      for (int i = 0; i < count; i++) {
        var c = (CREDENTIAL)Marshal.PtrToStructure(Marshal.ReadIntPtr(list, i * IntPtr.Size), typeof(CREDENTIAL));
        if (c.Type != GENERIC) continue;
        var blob = new byte[c.CredentialBlobSize];
        if (blob.Length > 0) Marshal.Copy(c.CredentialBlob, blob, 0, blob.Length);
        result[c.TargetName] = Encoding.UTF8.GetString(blob);
      }
    } finally { CredFree(list); }
    return result;
  }
  public static void Write(string target, string value) {
    var blob = Encoding.UTF8.GetBytes(value);
    var c = new CREDENTIAL();
    c.Type = GENERIC; c.TargetName = target; c.Persist = 2; c.UserName = "ccgate";
    c.CredentialBlobSize = blob.Length;
    c.CredentialBlob = Marshal.AllocHGlobal(blob.Length);
    try {
      Marshal.Copy(blob, 0, c.CredentialBlob, blob.Length);
      if (!CredWrite(ref c, 0)) throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
    } finally { Marshal.FreeHGlobal(c.CredentialBlob); }
  }
  public static void Delete(string target) {
    if (!CredDelete(target, GENERIC, 0)) {
      int error = Marshal.GetLastWin32Error();
      if (error != NOT_FOUND) throw new System.ComponentModel.Win32Exception(error);
    }
  }
}
'@
$request = [Console]::In.ReadToEnd() | ConvertFrom-Json
switch ($request.op) {
  'list' {
    foreach ($entry in [CcgateCredentials]::List($request.filter).GetEnumerator()) {
      [Console]::Out.Write($entry.Key + [char]9 + $entry.Value + [char]10)
    }
  }
  'write' {
    $keep = @{}
    foreach ($w in $request.writes) { [CcgateCredentials]::Write($w.target, $w.value); $keep[$w.target] = $true }
    foreach ($t in @([CcgateCredentials]::List($request.filter).Keys)) {
      if (-not $keep.ContainsKey($t)) { [CcgateCredentials]::Delete($t) }
    }
  }
  'clear' {
    foreach ($t in @([CcgateCredentials]::List($request.filter).Keys)) { [CcgateCredentials]::Delete($t) }
  }
}
`;
