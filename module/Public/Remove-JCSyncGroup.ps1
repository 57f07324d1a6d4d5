function Remove-JCSyncGroup {
    <#
    .SYNOPSIS
        Deletes an AD group the sync managed and that left the scope, after listing what goes.
    .DESCRIPTION
        The sync never deletes a group: when a JumpCloud user group is no longer bound to the ADI
        domain, its AD group is emptied of the members the sync manages, marked unbound in its
        anchor and left in place, because its SID may be named in file share ACLs, GPO filters and
        applications, and a new group would get a new SID. Binding it again restores the same
        group with its members.

        Remove-JCSyncGroup is the administrator's explicit way to delete such a group. It first
        reads the group and lists what would be deleted (the group, its objectSid, its remaining
        members), asks for confirmation (ConfirmImpact High), and only then deletes it. It refuses
        a group that is still bound (Group.StillBound: the next sync would create a new group with
        a new SID), a group without the sync's anchor or whose anchor has no valid proof
        (Group.NotManaged), and protected or critical groups (Group.Protected).

        The password and the anchor key are handed to the engine on its standard input only.
    .PARAMETER Group
        The group: its name (cn or sAMAccountName) under the root container, or its distinguished
        name.
    .PARAMETER RootUserDN
        The root user container in the ADI form (for example OU=Corporate Users;DC=example;DC=com).
    .PARAMETER AnchorKey
        An anchor key you keep yourself (New-JCSyncAnchorKey), as a SecureString, instead of the
        one kept in the root container: only a group whose anchor has a valid proof is accepted.
    .PARAMETER Server
        Host name or IP address of the domain controller.
    .PARAMETER Credential
        An account that may delete groups in the root container (the sync service account, or an
        administrator).
    .PARAMETER Port
        TCP port of the domain controller. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (the default), StartTls, or Ldap (refused unless -AllowInsecureLdap and
        -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap; use only in an isolated lab.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller. Default: 10.
    .EXAMPLE
        Remove-JCSyncGroup -Group 'Sales' -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Server dc1.example.com -Credential $cred -WhatIf

        Shows what would be deleted (the group Sales, its SID and its members) and deletes nothing.
    .EXAMPLE
        Remove-JCSyncGroup -Group 'Sales' -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Server dc1.example.com -Credential $cred -AnchorKey $anchorKey

        Lists the group, asks for confirmation, then deletes it.
    .INPUTS
        System.String
    .OUTPUTS
        JumpCloudADI.SyncGroupRemoval
        Group, DistinguishedName, ObjectSid, JumpCloudId, MemberCount, Members and Action
        (WouldRemove with -WhatIf or when not confirmed, Removed).
    .LINK
        Invoke-JCSync
    .LINK
        about_JumpCloudADI
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('JumpCloudADI.SyncGroupRemoval')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string] $Group,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [System.Security.SecureString] $AnchorKey,

        [Parameter(Mandatory = $true)]
        [Alias('HostName', 'ComputerName')]
        [ValidateNotNullOrEmpty()]
        [string] $Server,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential,

        [ValidateRange(1, 65535)]
        [int] $Port,

        [ValidateSet('Ldaps', 'StartTls', 'Ldap')]
        [string] $LdapMode = 'Ldaps',

        [ValidateNotNullOrEmpty()]
        [string] $CertificateAuthorityFile,

        [switch] $AllowInsecureLdap,

        [switch] $AcknowledgeInsecureLdapRisk,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 10
    )

    process {
        $engineParams = [ordered]@{
            dc         = (NewJCDcBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
            rootUserDN = $RootUserDN
            group      = $Group
            whatIf     = $true
        }
        if ($PSBoundParameters.ContainsKey('AnchorKey')) {
            $engineParams['anchorKey'] = $AnchorKey
        }
        # First the listing (the engine deletes nothing with whatIf), then the decision.
        $listing = @(InvokeJCEngine -Command 'group-remove' -Parameters $engineParams -Cmdlet $PSCmdlet)
        if ($listing.Count -eq 0) {
            return
        }
        $found = $listing[0]
        $members = @($found.Members)
        $shown = @($members | Select-Object -First 10)
        $memberText = if ($members.Count -eq 0) { 'no members' } else { '{0} member(s): {1}{2}' -f $members.Count, ($shown -join '; '), $(if ($members.Count -gt $shown.Count) { '; ...' } else { '' }) }
        $what = 'Delete the group {0} (SID {1}, JumpCloud group {2}) with {3}; ACLs that name the SID are orphaned' -f $found.DistinguishedName, $found.ObjectSid, $found.JumpCloudId, $memberText
        if (-not $PSCmdlet.ShouldProcess($found.DistinguishedName, $what)) {
            if ($WhatIfPreference) {
                $found
            }
            return
        }
        $engineParams['group'] = $found.DistinguishedName
        $engineParams['whatIf'] = $false
        InvokeJCEngine -Command 'group-remove' -Parameters $engineParams -Cmdlet $PSCmdlet
    }
}
