function NewJCErrorRecord {
    <#
    .SYNOPSIS
        Builds an ErrorRecord with a stable error id, a category and a target object.
    .PARAMETER ErrorId
        The stable error id (for example AD.BindFailed or Engine.Crashed).
    .PARAMETER Message
        The message of the exception carried by the record.
    .PARAMETER Category
        The ErrorCategory, given as the enum value or its name. Unknown names become NotSpecified.
    .PARAMETER TargetObject
        The object the error is about (may be $null).
    .PARAMETER ExceptionType
        Full name of the exception type to create (it must take a single string argument).
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ErrorId,

        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Message,

        [object] $Category = 'NotSpecified',

        [object] $TargetObject,

        [string] $ExceptionType = 'System.Exception'
    )

    $parsedCategory = [System.Management.Automation.ErrorCategory]::NotSpecified
    if ($Category -is [System.Management.Automation.ErrorCategory]) {
        $parsedCategory = $Category
    }
    elseif ($null -ne $Category) {
        # Names only: a number or a comma list must not parse into some category by accident.
        $name = ([string]$Category).Trim()
        foreach ($known in [System.Enum]::GetNames([System.Management.Automation.ErrorCategory])) {
            if ([string]::Equals($known, $name, [System.StringComparison]::OrdinalIgnoreCase)) {
                $parsedCategory = [System.Enum]::Parse([System.Management.Automation.ErrorCategory], $known)
                break
            }
        }
    }

    if ([string]::IsNullOrEmpty($Message)) {
        $Message = $ErrorId
    }
    $exception = New-Object -TypeName $ExceptionType -ArgumentList $Message
    return [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $parsedCategory, $TargetObject)
}
