# xlplan のオフライン セットアップ（この PC・このユーザー。管理者権限は不要）
# setup.cmd から実行します。コマンドプロンプトが使えない PC では、このファイルを右クリック →［PowerShell で実行］。
# 手順（# STEP の行）は docs/excel-setup.md「setup.cmd がすること」と同じ順です。
param([switch]$NoPause)
$ErrorActionPreference = "Stop"
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$manifest = Get-Content -Raw -Encoding UTF8 (Join-Path $here "manifest.json") | ConvertFrom-Json
$want = $manifest.python
$tag = $want.Replace(".", "")
$wheels = Join-Path $here "wheels"
$root = Join-Path $env:LOCALAPPDATA "xlplan"
$venv = Join-Path $root "venv"
$py = Join-Path $venv "Scripts\python.exe"

function Say([string]$text) { Write-Host $text }
function Stop-Setup([string]$text) {
    Write-Host ""
    Write-Host "✗ $text" -ForegroundColor Red
    Write-Host "  セットアップを中止しました。docs/excel-setup.md の「症状別の対処」を見てください。"
    exit 1
}
function Test-Python([string]$exe) {
    if (-not $exe -or -not (Test-Path $exe)) { return $false }
    try { $v = & $exe -c "import sys; print('%d.%d' % sys.version_info[:2])" 2>$null } catch { return $false }
    return ($LASTEXITCODE -eq 0 -and "$v".Trim() -eq $want)
}

Say "xlplan $($manifest.xlplan) のセットアップ（Python $want 用）を始めます。入れる場所: $venv"

# STEP 1: 展開したファイルのブロック（インターネット・メールから来た印）を解除する
Get-ChildItem -Path $here -Recurse -File | Unblock-File -ErrorAction SilentlyContinue

# STEP 2: Python を決める（python フォルダーの埋め込み版 zip、なければこの PC の同じ版の Python）
$embed = Get-ChildItem -Path (Join-Path $here "python") -Filter "python-$want*-embed-amd64.zip" -ErrorAction SilentlyContinue | Select-Object -First 1
$base = $null
if (-not $embed) {
    $candidates = @()
    try { $candidates += (& py "-$want" -c "import sys; print(sys.executable)" 2>$null) } catch { }
    $candidates += (Join-Path $env:LOCALAPPDATA "Programs\Python\Python$tag\python.exe")
    $candidates += "C:\Program Files\Python$tag\python.exe"
    try { $candidates += (Get-Command python.exe -ErrorAction SilentlyContinue).Source } catch { }
    foreach ($c in $candidates) { if (Test-Python "$c".Trim()) { $base = "$c".Trim(); break } }
    if (-not $base -and -not (Test-Python $py)) {
        Stop-Setup "Python $want が見つかりません。python.org の Python $want（64 ビット）を入れるか、埋め込み版 python-$want.x-embed-amd64.zip をこのフォルダーの python フォルダーに置いてから、もう一度実行してください。"
    }
}

# STEP 3: ユーザー専用の環境を作る（%LOCALAPPDATA%\xlplan\venv。動かないときは作り直す）
if ($embed) {
    Say "埋め込み版 Python を使います: $($embed.Name)"
    $scripts = Join-Path $venv "Scripts"
    if (Test-Path $venv) { Remove-Item -Recurse -Force $venv }
    New-Item -ItemType Directory -Force -Path $scripts | Out-Null
    Expand-Archive -Path $embed.FullName -DestinationPath $scripts -Force
    # 埋め込み版は site-packages を読まないため、._pth で import site を有効にする
    $pth = Get-ChildItem -Path $scripts -Filter "python*._pth" | Select-Object -First 1
    $lines = Get-Content $pth.FullName | ForEach-Object { if ($_ -eq "#import site") { "import site" } else { $_ } }
    if ($lines -notcontains "Lib\site-packages") { $lines = @("Lib\site-packages") + $lines }
    Set-Content -Path $pth.FullName -Value $lines -Encoding Ascii
    # 埋め込み版には pip がないため、wheels の pip をそのまま使って入れる
    $pipwheel = Get-ChildItem -Path $wheels -Filter "pip-*.whl" | Select-Object -First 1
    & $py (Join-Path $pipwheel.FullName "pip") install --no-index --find-links $wheels pip
    if ($LASTEXITCODE -ne 0) { Stop-Setup "埋め込み版 Python に pip を入れられませんでした。" }
} elseif (-not (Test-Python $py)) {
    Say "環境を作ります: $venv（Python: $base）"
    & $base -m venv --clear $venv
    if ($LASTEXITCODE -ne 0) { Stop-Setup "環境を作れませんでした（$venv）。フォルダーへの書き込みが禁止されていないか確認してください。" }
} else {
    Say "環境はあります: $venv"
}

# STEP 4: xlplan と必要な部品を wheels フォルダーから入れる（インターネットは使わない）
& $py -m pip install --disable-pip-version-check --no-index --find-links $wheels --upgrade xlplan
if ($LASTEXITCODE -ne 0) { Stop-Setup "xlplan を入れられませんでした。バンドルの Python の版（$want）とこの PC の Python の版が合っているか確認してください。" }

# STEP 5: xlplan setup で設定を書き、ボタンと同じコマンドラインを実際に動かして確かめる
& $py -m xlplan setup --wheels $wheels
$result = $LASTEXITCODE

# STEP 6: ひな形のブックを「ドキュメント\xlplan」に置く（同じ名前のファイルがあれば上書きしない）
$docs = Join-Path ([Environment]::GetFolderPath("MyDocuments")) "xlplan"
New-Item -ItemType Directory -Force -Path $docs | Out-Null
$template = Join-Path $docs "xlplan_template.xlsm"
if (-not (Test-Path $template)) { Copy-Item (Join-Path $here "template\xlplan_template.xlsm") $template }
Say "ひな形のブック: $template"

if ($result -ne 0) { Stop-Setup "動作確認で問題が見つかりました（上の ✗ の行と → の直し方を見てください）。" }
Say ""
Say "セットアップが終わりました。ブックのボタンが使えます。"
exit 0
