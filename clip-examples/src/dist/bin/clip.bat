@echo off
rem clip: the clip4j command-line tool. Usage: clip COMMAND [OPTIONS]   (clip --help)
rem Runs on Java 17 or newer: %JAVA_HOME%\bin\java.exe if JAVA_HOME is set, else java on the PATH.
rem JAVA_OPTS is passed to the JVM, e.g. set JAVA_OPTS=-Xmx4g -Dclip4j.cache=D:\clip
setlocal
set "APP_HOME=%~dp0.."

if defined JAVA_HOME (
    set "JAVA_CMD=%JAVA_HOME%\bin\java.exe"
) else (
    set "JAVA_CMD=java.exe"
)
"%JAVA_CMD%" -version >nul 2>&1
if errorlevel 1 (
    echo clip: error: no java found: install Java 17 or newer, or set JAVA_HOME 1>&2
    exit /b 1
)

rem Java 24+ warns when native code is loaded (JEP 472) unless allowed; libtorch is loaded through JNI.
set "JAVA_MAJOR="
for /f "tokens=3" %%v in ('"%JAVA_CMD%" -version 2^>^&1 ^| findstr /i "version"') do (
    for /f "delims=.-+" %%m in ("%%~v") do if not defined JAVA_MAJOR set "JAVA_MAJOR=%%m"
)
set "NATIVE_ACCESS="
if defined JAVA_MAJOR if %JAVA_MAJOR% GEQ 24 set "NATIVE_ACCESS=--enable-native-access=ALL-UNNAMED"

"%JAVA_CMD%" %JAVA_OPTS% %NATIVE_ACCESS% -cp "%APP_HOME%\lib\*" io.github.clip4j.cli.ClipCli %*
exit /b %ERRORLEVEL%
