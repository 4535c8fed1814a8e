@echo off
rem xlplan offline setup for this user (no admin rights needed).
rem Runs setup.ps1 with Windows PowerShell; the messages there are Japanese.
rem If the command prompt is disabled on this PC, right-click setup.ps1 and choose "Run with PowerShell".
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0setup.ps1"
set XLPLAN_RESULT=%ERRORLEVEL%
echo.
pause
exit /b %XLPLAN_RESULT%
