<#
.SYNOPSIS
    Assembles the release layout of the module (npm run package): a folder and a .nupkg.
.DESCRIPTION
    build/package/JumpCloudADI/                   the module folder, importable on its own:
        JumpCloudADI.psd1                         the manifest, as in the repository
        module/JumpCloudADI.psm1                  one combined file: private helpers, then cmdlets
        module/Formats/*.ps1xml                   display formats
        en-US/about_JumpCloudADI.help.txt         the about_ help topic
        bin/jcadi-engine, bin/jcadi-engine.exe    both engine executables
        bin/jcadi-service.exe                     the Windows service host, next to the Windows engine
        SHA256SUMS                                a SHA-256 line for every other file
    build/package/JumpCloudADI.<version>.nupkg    the same files in the package format
                                                  PowerShell galleries use.
    Run npm run build first: both engines and the service host must exist.
#>
[CmdletBinding()]
param(
    [string] $OutputPath = (Join-Path -Path $PSScriptRoot -ChildPath '../build/package')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$repo = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '..')).ProviderPath
$manifestPath = Join-Path -Path $repo -ChildPath 'JumpCloudADI.psd1'
$manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
$version = $manifest.ModuleVersion
New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null
$OutputPath = (Resolve-Path -LiteralPath $OutputPath).ProviderPath
$target = Join-Path -Path $OutputPath -ChildPath 'JumpCloudADI'
if (Test-Path -LiteralPath $target) {
    Remove-Item -LiteralPath $target -Recurse -Force
}
foreach ($dir in 'module/Formats', 'en-US', 'bin') {
    New-Item -ItemType Directory -Force -Path (Join-Path -Path $target -ChildPath $dir) | Out-Null
}

# One combined root module: the same order the development psm1 dot-sources in.
$source = Join-Path -Path $repo -ChildPath 'module'
$private = @(Get-ChildItem -LiteralPath (Join-Path -Path $source -ChildPath 'Private') -Filter '*.ps1' -File | Sort-Object -Property Name)
$public = @(Get-ChildItem -LiteralPath (Join-Path -Path $source -ChildPath 'Public') -Filter '*.ps1' -File | Sort-Object -Property Name)
$builder = New-Object -TypeName System.Text.StringBuilder
[void]$builder.AppendLine('# JumpCloudADI root module, combined for release from module/Private and module/Public.')
[void]$builder.AppendLine('Set-StrictMode -Version 3.0')
# The module state (folders, service names) comes from the development psm1's one region.
$devRoot = Get-Content -LiteralPath (Join-Path -Path $source -ChildPath 'JumpCloudADI.psm1') -Raw
$stateMatch = [regex]::Match($devRoot, '(?ms)^#region Module state.*?^#endregion[^\r\n]*')
if (-not $stateMatch.Success) {
    throw 'module/JumpCloudADI.psm1 has no "#region Module state" ... "#endregion" block.'
}
[void]$builder.AppendLine($stateMatch.Value)
foreach ($file in @($private + $public)) {
    [void]$builder.AppendLine('')
    [void]$builder.AppendLine("#region $($file.Directory.Name)/$($file.Name)")
    [void]$builder.AppendLine((Get-Content -LiteralPath $file.FullName -Raw).TrimEnd())
    [void]$builder.AppendLine('#endregion')
}
$names = @($public | ForEach-Object { "'$($_.BaseName)'" }) -join ', '
[void]$builder.AppendLine('')
[void]$builder.AppendLine("Export-ModuleMember -Function @($names)")
$utf8Bom = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $true
[System.IO.File]::WriteAllText((Join-Path -Path $target -ChildPath 'module/JumpCloudADI.psm1'), $builder.ToString(), $utf8Bom)

Copy-Item -LiteralPath $manifestPath -Destination $target
Copy-Item -Path (Join-Path -Path $source -ChildPath 'Formats/*.ps1xml') -Destination (Join-Path -Path $target -ChildPath 'module/Formats')
Copy-Item -Path (Join-Path -Path $repo -ChildPath 'en-US/*') -Destination (Join-Path -Path $target -ChildPath 'en-US')
foreach ($engine in 'jcadi-engine', 'jcadi-engine.exe', 'jcadi-service.exe') {
    $built = Join-Path -Path $repo -ChildPath "build/$engine"
    if (-not (Test-Path -LiteralPath $built -PathType Leaf)) {
        throw "build/$engine is missing: run npm run build first."
    }
    Copy-Item -LiteralPath $built -Destination (Join-Path -Path $target -ChildPath 'bin')
}
if (-not $IsWindows) {
    & chmod 0755 (Join-Path -Path $target -ChildPath 'bin/jcadi-engine')
}

# SHA-256 of every file, relative paths with forward slashes (sha256sum -c can check it).
$files = @(Get-ChildItem -LiteralPath $target -Recurse -File | Sort-Object -Property FullName)
$sums = foreach ($file in $files) {
    $relative = $file.FullName.Substring($target.Length + 1).Replace('\', '/')
    '{0}  {1}' -f (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash.ToLowerInvariant(), $relative
}
[System.IO.File]::WriteAllLines((Join-Path -Path $target -ChildPath 'SHA256SUMS'), [string[]]$sums)

# The .nupkg: the module files at the root, a nuspec, and the OPC content-types part.
$tags = @('PSModule') + @($manifest.PrivateData.PSData.Tags) + @($public | ForEach-Object { "PSCommand_$($_.BaseName)", "PSFunction_$($_.BaseName)" })
$nuspec = @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>JumpCloudADI</id>
    <version>$version</version>
    <authors>$([System.Security.SecurityElement]::Escape($manifest.Author))</authors>
    <description>$([System.Security.SecurityElement]::Escape($manifest.Description))</description>
    <copyright>$([System.Security.SecurityElement]::Escape($manifest.Copyright))</copyright>
    <tags>$($tags -join ' ')</tags>
  </metadata>
</package>
"@
$contentTypes = '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="nuspec" ContentType="application/octet" /><Default Extension="psd1" ContentType="application/octet" /><Default Extension="psm1" ContentType="application/octet" /><Default Extension="ps1xml" ContentType="application/octet" /><Default Extension="txt" ContentType="application/octet" /><Default Extension="exe" ContentType="application/octet" /><Default Extension="xml" ContentType="application/octet" /><Override PartName="/bin/jcadi-engine" ContentType="application/octet" /><Override PartName="/SHA256SUMS" ContentType="application/octet" /></Types>'
Add-Type -AssemblyName System.IO.Compression
Add-Type -AssemblyName System.IO.Compression.FileSystem
$nupkg = Join-Path -Path $OutputPath -ChildPath "JumpCloudADI.$version.nupkg"
if (Test-Path -LiteralPath $nupkg) {
    Remove-Item -LiteralPath $nupkg -Force
}
$zip = [System.IO.Compression.ZipFile]::Open($nupkg, [System.IO.Compression.ZipArchiveMode]::Create)
try {
    foreach ($entry in @(@{ Name = 'JumpCloudADI.nuspec'; Text = $nuspec }, @{ Name = '[Content_Types].xml'; Text = $contentTypes })) {
        $writer = New-Object -TypeName System.IO.StreamWriter -ArgumentList ($zip.CreateEntry($entry.Name).Open())
        try { $writer.Write($entry.Text) } finally { $writer.Dispose() }
    }
    foreach ($file in @(Get-ChildItem -LiteralPath $target -Recurse -File)) {
        $relative = $file.FullName.Substring($target.Length + 1).Replace('\', '/')
        [void][System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $file.FullName, $relative, [System.IO.Compression.CompressionLevel]::Optimal)
    }
}
finally {
    $zip.Dispose()
}
Write-Output ([pscustomobject]@{ Folder = $target; Nupkg = $nupkg; Version = $version; Files = $files.Count + 1 })
