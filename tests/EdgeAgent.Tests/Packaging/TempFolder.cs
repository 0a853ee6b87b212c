namespace EdgeAnpr.Agent.Tests.Packaging;

/// <summary>A temporary folder, deleted with what it holds.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("edge-anpr-package-").FullName;

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
