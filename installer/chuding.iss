; Inno Setup script: packages dist\chuding (built by installer\build.py) into a Windows installer.
#define AppVersion GetEnv("CHUDING_VERSION")
[Setup]
AppId={{6B1E2A53-3C4D-4E8F-9A1B-C0DEC0DE0001}
AppName=职称初定申报助手
AppVersion={#AppVersion}
DefaultDirName={autopf}\Chuding
DefaultGroupName=职称初定申报助手
OutputBaseFilename=chuding-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
PrivilegesRequired=lowest
WizardStyle=modern
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\chuding-gui.exe

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Files]
Source: "..\dist\chuding\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\职称初定申报助手"; Filename: "{app}\chuding-gui.exe"
Name: "{autodesktop}\职称初定申报助手"; Filename: "{app}\chuding-gui.exe"

[Run]
Filename: "{app}\chuding-gui.exe"; Description: "启动职称初定申报助手"; Flags: nowait postinstall skipifsilent
