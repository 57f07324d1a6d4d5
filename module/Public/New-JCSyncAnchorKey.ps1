function New-JCSyncAnchorKey {
    <#
    .SYNOPSIS
        Makes a new anchor key: the secret that proves which AD objects the sync created or adopted.
    .DESCRIPTION
        Every anchor the sync writes with an anchor key ends in a proof: a keyed MAC (HMAC-SHA256)
        of the object's objectGUID and its JumpCloud id. An anchor counts only when its proof fits,
        so an account that may create users under the root container cannot plant an object that
        the sync then renames, fills with group members, offboards or gives a password.

        You need this cmdlet only to keep the key yourself: by default the sync keeps its key in the
        root container (CN=jcsync-anchor-key, readable only by the sync's account and the
        administrators) and nobody hands a key around. The key is 32 random bytes from the
        system's cryptographic random number generator, in base64, returned as a SecureString.
        Kept yourself, every agent of the ADI domain (Install-JCSyncAgent -AnchorKey) and every
        Invoke-JCSync and Get-JCSyncPlan run (-AnchorKey) needs the same key: keep it like a
        password. A lost key is replaced by a new one and one reviewed
        Invoke-JCSync -AdoptExisting run, which rewrites only the anchors (nothing is re-created or
        renamed). See docs/anchor-trust.md.
    .EXAMPLE
        $anchorKey = New-JCSyncAnchorKey
        Get-JCSyncPlan @splatSync -AnchorKey $anchorKey -AdoptExisting | Where-Object Adopt

        Makes a key, then lists the objects a first run with it would seal (the migration of an
        install that ran without a key).
    .EXAMPLE
        New-JCSyncAnchorKey | Export-Clixml -Path C:\Secure\jcadi-anchor-key.xml

        Stores the key protected for the current Windows user (DPAPI), to read it back later with
        Import-Clixml.
    .OUTPUTS
        System.Security.SecureString
    .LINK
        Invoke-JCSync
    .LINK
        Install-JCSyncAgent
    #>
    [CmdletBinding()]
    [OutputType([System.Security.SecureString])]
    param()

    $bytes = New-Object -TypeName byte[] -ArgumentList 32
    $rng = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try {
        $rng.GetBytes($bytes)
        $text = [System.Convert]::ToBase64String($bytes)
        $key = New-Object -TypeName System.Security.SecureString
        foreach ($ch in $text.ToCharArray()) {
            $key.AppendChar($ch)
        }
        $key.MakeReadOnly()
        return $key
    }
    finally {
        [System.Array]::Clear($bytes, 0, $bytes.Length)
        $rng.Dispose()
    }
}
