; Inno Setup 6 script: packages dist\chuding (built by installer\build.py) into a Windows installer.
; Compile: python installer\build.py --installer  (or: ISCC /DAppVersion=X.Y.Z installer\chuding.iss)
; Silent (always per-user; /CURRENTUSER is accepted): chuding-setup-X.Y.Z.exe /VERYSILENT /CURRENTUSER /SUPPRESSMSGBOXES
; Silent uninstall keeps the officer's data (database, documents, logs, backups) unless /DELETEDATA is given;
; the interactive uninstaller asks, defaulting to keep. See installer/README.md.
#ifndef AppVersion
  #define AppVersion GetEnv("CHUDING_VERSION")
#endif
#ifndef DistDir
  #define DistDir "..\dist\chuding"
#endif
#ifndef Compression
  #define Compression "lzma2/max"
#endif
#define AppName "职称初定申报助手"
#define DataDir "{localappdata}\Chuding\chuding"

[Setup]
AppId={{6B1E2A53-3C4D-4E8F-9A1B-C0DEC0DE0001}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Chuding
; per-user: %LOCALAPPDATA%\Programs\Chuding (what {autopf} means in non-admin mode; spelled out because
; Wine has no FOLDERID_UserProgramFiles, and the app is per-user only: no all-users override)
DefaultDirName={localappdata}\Programs\Chuding
DefaultGroupName={#AppName}
DisableProgramGroupPage=auto
OutputBaseFilename=chuding-setup-{#AppVersion}
Compression={#Compression}
SolidCompression=yes
LZMANumBlockThreads=2
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
WizardStyle=modern
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\chuding-gui.exe
UninstallDisplayName={#AppName}
CloseApplications=yes
ShowLanguageDialog=no

[Languages]
; Inno Setup ships no Simplified Chinese file among its official translations: English defaults,
; with every wizard/uninstaller string the officer sees overridden in [Messages] below (our own wording).
Name: "zh_CN"; MessagesFile: "compiler:Default.isl"

[LangOptions]
LanguageName=简体中文
LanguageID=$0804
LanguageCodePage=936
DialogFontName=Microsoft YaHei UI
DialogFontSize=9
WelcomeFontName=Microsoft YaHei UI
WelcomeFontSize=14

[Messages]
SetupAppTitle=安装
SetupWindowTitle=安装 - %1
UninstallAppTitle=卸载
UninstallAppFullTitle=卸载 %1
InformationTitle=提示
ConfirmTitle=确认
ErrorTitle=错误
SetupLdrStartupMessage=即将安装 %1。是否继续？
LdrCannotCreateTemp=无法创建临时文件，安装已中止
LdrCannotExecTemp=无法运行临时文件夹中的文件，安装已中止
LastErrorMessage=%1。%n%n错误 %2：%3
SetupFileMissing=安装文件夹中缺少文件 %1。请重新获取安装程序。
SetupFileCorrupt=安装文件已损坏。请重新获取安装程序。
SetupFileCorruptOrWrongVer=安装文件已损坏或与本安装程序版本不符。请重新获取安装程序。
InvalidParameter=命令行参数无效：%n%n%1
SetupAlreadyRunning=安装程序已在运行。
WindowsVersionNotSupported=本程序不支持这台电脑的 Windows 版本。
WinVersionTooLowError=本程序需要 %1 %2 或更高版本。
OnlyOnTheseArchitectures=本程序只能安装在以下处理器架构的 Windows 上：%n%n%1
SetupAppRunningError=%1 正在运行。%n%n请先关闭它，然后点“确定”继续，或点“取消”退出。
UninstallAppRunningError=%1 正在运行。%n%n请先关闭它，然后点“确定”继续，或点“取消”退出。
ErrorCreatingDir=无法创建文件夹“%1”
ExitSetupTitle=退出安装
ExitSetupMessage=安装尚未完成。现在退出，程序将不会被安装。%n%n以后可以重新运行安装程序完成安装。%n%n确定退出吗？
AboutSetupMenuItem=关于安装程序(&A)...
AboutSetupTitle=关于安装程序
ButtonBack=< 上一步(&B)
ButtonNext=下一步(&N) >
ButtonInstall=安装(&I)
ButtonOK=确定
ButtonCancel=取消
ButtonYes=是(&Y)
ButtonYesToAll=全部是(&A)
ButtonNo=否(&N)
ButtonNoToAll=全部否(&O)
ButtonFinish=完成(&F)
ButtonBrowse=浏览(&B)...
ButtonWizardBrowse=浏览(&R)...
ButtonNewFolder=新建文件夹(&M)
SelectLanguageTitle=选择安装语言
SelectLanguageLabel=请选择安装过程使用的语言。
ClickNext=点“下一步”继续，或点“取消”退出安装。
BrowseDialogTitle=选择文件夹
BrowseDialogLabel=在下面的列表中选择一个文件夹，然后点“确定”。
NewFolderName=新建文件夹
WelcomeLabel1=欢迎安装 [name]
WelcomeLabel2=本向导将在这台电脑上安装 [name/ver]。%n%n建议先关闭其他正在运行的程序。
WizardSelectDir=选择安装位置
SelectDirDesc=把 [name] 安装到哪里？
SelectDirLabel3=安装程序将把 [name] 安装到下面的文件夹。
SelectDirBrowseLabel=点“下一步”继续。如需换一个文件夹，请点“浏览”。
DiskSpaceGBLabel=至少需要 [gb] GB 可用磁盘空间。
DiskSpaceMBLabel=至少需要 [mb] MB 可用磁盘空间。
InvalidPath=请输入带盘符的完整路径，例如：%n%nC:\APP
InvalidDrive=所选的驱动器不存在或无法访问，请另选位置。
DiskSpaceWarningTitle=磁盘空间不足
DiskSpaceWarning=安装至少需要 %1 KB 可用空间，所选驱动器只有 %2 KB。%n%n仍要继续吗？
DirNameTooLong=文件夹名称或路径太长。
InvalidDirName=文件夹名称无效。
BadDirName32=文件夹名称不能包含以下字符：%n%n%1
DirExistsTitle=文件夹已存在
DirExists=文件夹：%n%n%1%n%n已存在。仍要安装到这个文件夹吗？
DirDoesntExistTitle=文件夹不存在
DirDoesntExist=文件夹：%n%n%1%n%n不存在。要创建它吗？
WizardSelectTasks=选择附加任务
SelectTasksDesc=还需要做哪些附加任务？
SelectTasksLabel2=勾选安装 [name] 时要执行的附加任务，然后点“下一步”。
WizardSelectProgramGroup=选择开始菜单文件夹
SelectStartMenuFolderDesc=把程序的快捷方式放在哪里？
SelectStartMenuFolderLabel3=安装程序将在下面的开始菜单文件夹中创建快捷方式。
SelectStartMenuFolderBrowseLabel=点“下一步”继续。如需换一个文件夹，请点“浏览”。
MustEnterGroupName=请输入文件夹名称。
NoProgramGroupCheck2=不创建开始菜单文件夹(&D)
WizardReady=准备安装
ReadyLabel1=已准备好在这台电脑上安装 [name]。
ReadyLabel2a=点“安装”开始安装；如需查看或修改设置，请点“上一步”。
ReadyLabel2b=点“安装”开始安装。
ReadyMemoDir=安装位置：
ReadyMemoGroup=开始菜单文件夹：
ReadyMemoTasks=附加任务：
WizardPreparing=正在准备安装
PreparingDesc=正在准备把 [name] 安装到这台电脑。
CannotContinue=安装无法继续。请点“取消”退出。
ApplicationsFound=以下程序正在使用需要更新的文件。建议让安装程序自动关闭它们。
ApplicationsFound2=以下程序正在使用需要更新的文件。建议让安装程序自动关闭它们；安装完成后将尝试重新启动它们。
CloseApplications=自动关闭这些程序(&A)
DontCloseApplications=不关闭这些程序(&D)
ErrorCloseApplications=无法自动关闭所有程序。请先关闭使用这些文件的程序，再继续安装。
WizardInstalling=正在安装
InstallingLabel=正在把 [name] 安装到这台电脑，请稍候。
FinishedHeadingLabel=[name] 安装完成
FinishedLabelNoIcons=[name] 已安装到这台电脑。
FinishedLabel=[name] 已安装到这台电脑。可以通过开始菜单或桌面上的快捷方式启动。
ClickFinish=点“完成”退出安装。
RunEntryExec=运行 %1
SetupAborted=安装未完成。%n%n请解决问题后重新运行安装程序。
AbortRetryIgnoreSelectAction=请选择操作
AbortRetryIgnoreRetry=重试(&T)
AbortRetryIgnoreIgnore=忽略错误继续(&I)
AbortRetryIgnoreCancel=取消安装
RetryCancelSelectAction=请选择操作
RetryCancelRetry=重试(&T)
RetryCancelCancel=取消
StatusClosingApplications=正在关闭程序...
StatusCreateDirs=正在创建文件夹...
StatusExtractFiles=正在复制文件...
StatusCreateIcons=正在创建快捷方式...
StatusCreateRegistryEntries=正在写入注册表...
StatusSavingUninstall=正在保存卸载信息...
StatusRunProgram=正在完成安装...
StatusRollback=正在撤销更改...
ErrorInternal2=内部错误：%1
ErrorFunctionFailed=%1 失败，错误代码 %2
ErrorExecutingProgram=无法运行文件：%n%1
ErrorCopying=复制以下文件时出错：
ErrorReplacingExistingFile=替换已有文件时出错：
UninstallDisplayNameMarkCurrentUser=当前用户
UninstallNotFound=文件“%1”不存在，无法卸载。
UninstallOpenError=无法打开文件“%1”，无法卸载
ConfirmUninstall=确定要卸载 %1 吗？%n%n您的申报数据、材料和备份不会被删除。
UninstallStatusLabel=正在从这台电脑卸载 %1，请稍候。
UninstalledAll=%1 已卸载。
UninstalledMost=%1 已卸载。%n%n有些文件未能删除，可以手动删除。
WizardUninstalling=卸载进度
StatusUninstalling=正在卸载 %1...
ShutdownBlockReasonInstallingApp=正在安装 %1。
ShutdownBlockReasonUninstallingApp=正在卸载 %1。

[CustomMessages]
zh_CN.AdditionalIcons=附加快捷方式：
zh_CN.CreateDesktopIcon=在桌面创建快捷方式(&D)
zh_CN.UninstallProgram=卸载 %1
zh_CN.LaunchProgram=运行 %1
zh_CN.DeleteDataQuestion=是否同时删除本机保存的申报数据（数据库、材料文件、日志和备份）？%n%n%1%n%n选“否”则保留，重新安装后可以继续使用。
zh_CN.ShortcutComment=新疆职称初定/授予申报材料整理、资格判断与导出

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\chuding-gui.exe"; Comment: "{cm:ShortcutComment}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\chuding-gui.exe"; Comment: "{cm:ShortcutComment}"; Tasks: desktopicon

[Run]
Filename: "{app}\chuding-gui.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; files the app may leave beside itself (none expected; the data lives in the per-user data folder)
Type: filesandordirs; Name: "{app}\__pycache__"

[Code]
function WantsDataDeleted(): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), '/DELETEDATA') = 0 then
      Result := True;
  if (not Result) and (not UninstallSilent) then
    Result := MsgBox(FmtMessage(CustomMessage('DeleteDataQuestion'), [ExpandConstant('{#DataDir}')]),
                     mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(ExpandConstant('{#DataDir}')) then
    if WantsDataDeleted() then
      DelTree(ExpandConstant('{#DataDir}'), True, True, True);
end;
