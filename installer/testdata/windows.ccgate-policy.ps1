# Sets Claude Code's managed settings for ccgate (run as SYSTEM, e.g. an Intune platform script).
$ErrorActionPreference = 'Stop'
$key = 'HKLM:\SOFTWARE\Policies\ClaudeCode'
New-Item -Path $key -Force | Out-Null
Set-ItemProperty -Path $key -Name 'Settings' -Type String -Value '{"apiKeyHelper":"C:\\Users\\dev\\AppData\\Local\\Programs\\ccgate\\ccgate.exe token","env":{"ANTHROPIC_BASE_URL":"https://ccgate.example.com","CLAUDE_CODE_API_KEY_HELPER_TTL_MS":"3300000","CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC":"1"},"skipWebFetchPreflight":true,"permissions":{"deny":["WebSearch"]}}'
