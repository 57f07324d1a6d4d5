function Get-JCSyncEngine {
    <#
    .SYNOPSIS
        Shows which jcadi-engine executable the module uses, and its version.
    .DESCRIPTION
        Runs the engine's "version" command and returns one JumpCloudADI.EngineInfo object: the
        engine's version, the Node.js runtime inside it, the platform and architecture it was built
        for, and the full path of the executable.

        The module looks for the engine in this order: the JCADI_ENGINE_PATH environment variable
        (when set), <module root>/build/jcadi-engine (jcadi-engine.exe on Windows), then
        <module root>/bin/jcadi-engine. When none exists the cmdlet stops with the error
        Engine.NotFound, which names every path tried.
    .EXAMPLE
        Get-JCSyncEngine

        Shows the version and the path of the engine the module will run.
    .EXAMPLE
        $env:JCADI_ENGINE_PATH = 'D:\Tools\jcadi-engine.exe'
        (Get-JCSyncEngine).Version

        Points the module at another engine build and prints that engine's version.
    .EXAMPLE
        Get-JCSyncEngine | Format-List *

        Shows every property of the engine information.
    .OUTPUTS
        JumpCloudADI.EngineInfo
        An object with Version, Node, Platform, Arch and Path.
    .LINK
        Test-JCRootDN
    .LINK
        Test-JCDomainController
    #>
    [CmdletBinding()]
    [OutputType('JumpCloudADI.EngineInfo')]
    param()

    process {
        InvokeJCEngine -Command 'version' -Cmdlet $PSCmdlet
    }
}
