# A PowerShell host for tests of ShouldProcess: it answers every confirmation prompt with a fixed
# choice (Yes or No) and keeps what the cmdlet wrote to the host, including "What if:" lines
# (ShouldProcess writes those to the host, not to a stream). Invoke-WithAnsweringHost runs a
# script in a new runspace on that host, with the module imported and InvokeJCEngine replaced
# by a recorder (the same seam the Mock-based tests use), or with the real engine (-RealEngine).

if (-not ('JCTestAnsweringHost' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

public class JCTestAnsweringHostUI : PSHostUserInterface
{
    private readonly string answer;
    public readonly List<string> Lines = new List<string>();
    public readonly List<string> Prompts = new List<string>();

    public JCTestAnsweringHostUI(string answer) { this.answer = answer; }

    public override PSHostRawUserInterface RawUI { get { return null; } }
    public override string ReadLine() { throw new NotSupportedException("ReadLine"); }
    public override SecureString ReadLineAsSecureString() { throw new NotSupportedException("ReadLineAsSecureString"); }
    public override void Write(string value) { Lines.Add(value); }
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { Lines.Add(value); }
    public override void WriteLine(string value) { Lines.Add(value); }
    public override void WriteErrorLine(string value) { Lines.Add(value); }
    public override void WriteDebugLine(string message) { }
    public override void WriteProgress(long sourceId, ProgressRecord record) { }
    public override void WriteVerboseLine(string message) { }
    public override void WriteWarningLine(string message) { }
    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
    {
        throw new NotSupportedException("Prompt");
    }
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
    {
        throw new NotSupportedException("PromptForCredential");
    }
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
    {
        throw new NotSupportedException("PromptForCredential");
    }
    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
    {
        Prompts.Add(caption + ": " + message);
        for (int i = 0; i < choices.Count; i++)
        {
            if (string.Equals(choices[i].Label.Replace("&", ""), answer, StringComparison.OrdinalIgnoreCase)) { return i; }
        }
        throw new InvalidOperationException("No choice labelled " + answer);
    }
}

public class JCTestAnsweringHost : PSHost
{
    private readonly Guid id = Guid.NewGuid();
    private readonly JCTestAnsweringHostUI ui;

    public JCTestAnsweringHost(string answer) { ui = new JCTestAnsweringHostUI(answer); }

    public JCTestAnsweringHostUI TestUI { get { return ui; } }
    public override PSHostUserInterface UI { get { return ui; } }
    public override string Name { get { return "JCTestAnsweringHost"; } }
    public override Version Version { get { return new Version(1, 0); } }
    public override Guid InstanceId { get { return id; } }
    public override CultureInfo CurrentCulture { get { return CultureInfo.InvariantCulture; } }
    public override CultureInfo CurrentUICulture { get { return CultureInfo.InvariantCulture; } }
    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() { throw new NotSupportedException("EnterNestedPrompt"); }
    public override void ExitNestedPrompt() { throw new NotSupportedException("ExitNestedPrompt"); }
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}
'@
}

function Invoke-WithAnsweringHost {
    <#
    .SYNOPSIS
        Runs a script block in a new runspace whose host answers confirmations with -Answer.
    .DESCRIPTION
        The module is imported from -ManifestPath and, unless -RealEngine is given, its
        InvokeJCEngine is replaced by a recorder that adds {Command, Parameters} to a list and
        emits what -EngineOutput returns for that command. Returns Output, Errors, HostLines (what the cmdlet wrote to the host, e.g. the
        "What if:" lines), Prompts (confirmation prompts shown) and EngineCalls.
    .PARAMETER ManifestPath
        The module manifest to import.
    .PARAMETER Answer
        Yes or No: the answer to every confirmation prompt.
    .PARAMETER ScriptBlock
        The code to run; it receives the arguments in -ArgumentList.
    .PARAMETER ArgumentList
        Arguments for the script block.
    .PARAMETER EngineOutput
        Records the replaced InvokeJCEngine emits: a hashtable from command name to an array of
        hashtables (each becomes a PSCustomObject typed by its RecordType key).
    .PARAMETER RealEngine
        Keeps the module's InvokeJCEngine: the real engine runs (EngineCalls stays empty).
    #>
    param(
        [Parameter(Mandatory = $true)]
        [string] $ManifestPath,

        [ValidateSet('Yes', 'No')]
        [string] $Answer = 'No',

        [Parameter(Mandatory = $true)]
        [scriptblock] $ScriptBlock,

        [object[]] $ArgumentList = @(),

        [hashtable] $EngineOutput = @{},

        [switch] $RealEngine
    )

    $answeringHost = New-Object -TypeName JCTestAnsweringHost -ArgumentList $Answer
    $calls = [System.Collections.ArrayList]::Synchronized((New-Object -TypeName System.Collections.ArrayList))
    $runspace = [System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspace($answeringHost)
    $runspace.Open()
    $powershell = [System.Management.Automation.PowerShell]::Create()
    $powershell.Runspace = $runspace
    try {
        $runspace.SessionStateProxy.SetVariable('JCTestEngineCalls', $calls)
        $runspace.SessionStateProxy.SetVariable('JCTestEngineOutput', $EngineOutput)
        if (-not $RealEngine) {
            # The recorder stands in for the engine: the engine's describe answer (exit codes,
            # install-folder names) comes from the real one, asked once per test session.
            if ($null -eq (Get-Variable -Name JCTestEngineDescription -Scope Script -ValueOnly -ErrorAction SilentlyContinue)) {
                . (Join-Path -Path $PSScriptRoot -ChildPath 'MockEngine.ps1')
                $script:JCTestEngineDescription = Get-TestEngineDescription
            }
            $runspace.SessionStateProxy.SetVariable('JCTestEngineDescription', $script:JCTestEngineDescription)
        }
        $setup = {
            param($manifest, $realEngine)
            $ErrorActionPreference = 'Stop'
            $ProgressPreference = 'SilentlyContinue'
            Import-Module -Name $manifest -Force
            if ($realEngine) {
                return
            }
            & (Get-Module -Name JumpCloudADI) {
                function script:GetJCEngineDescription {
                    param($Cmdlet)
                    $global:JCTestEngineDescription
                }
                function script:InvokeJCEngine {
                    param($Command, $Parameters, $Cmdlet, $Result)
                    [void]$global:JCTestEngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters })
                    foreach ($item in @($global:JCTestEngineOutput[$Command])) {
                        if ($null -eq $item) {
                            continue
                        }
                        $record = [pscustomobject]$item
                        $record.PSObject.TypeNames.Insert(0, [string]$item['RecordType'])
                        $record
                    }
                }
            }
        }
        [void]$powershell.AddScript($setup.ToString()).AddArgument($ManifestPath).AddArgument([bool]$RealEngine)
        [void]$powershell.Invoke()
        if ($powershell.HadErrors) {
            throw ('Setting up the runspace failed: {0}' -f ($powershell.Streams.Error | Out-String))
        }
        $powershell.Commands.Clear()
        $powershell.Streams.ClearStreams()

        [void]$powershell.AddScript($ScriptBlock.ToString())
        foreach ($argument in $ArgumentList) {
            [void]$powershell.AddArgument($argument)
        }
        $output = $null
        $thrown = $null
        try {
            $output = $powershell.Invoke()
        }
        catch {
            $thrown = $_.Exception
        }
        return [pscustomobject]@{
            Output      = @($output)
            Errors      = @($powershell.Streams.Error)
            Thrown      = $thrown
            Warnings    = @($powershell.Streams.Warning | ForEach-Object { $_.Message })
            HostLines   = @($answeringHost.TestUI.Lines)
            Prompts     = @($answeringHost.TestUI.Prompts)
            EngineCalls = @($calls)
        }
    }
    finally {
        $powershell.Dispose()
        $runspace.Dispose()
    }
}
