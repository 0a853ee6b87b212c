namespace EdgeAnpr.Agent.Tests.Imaging;

/// <summary>
/// Files the tests read where they are committed rather than copies beside the tests: the repository root (the folder
/// holding <c>EdgeAnpr.sln</c>, found by walking up from the test binaries) and the shared plate data beside it
/// (<c>../shared/data</c>, never copied into the repository; see its README).
/// </summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> RootFolder = new(FindRoot);

    public static string Root => RootFolder.Value;

    /// <summary>A committed file, by its path from the repository root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The shared plate data: the repository root's sibling <c>shared/data</c>.</summary>
    public static string SharedData => System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, "..", "shared", "data"));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "EdgeAnpr.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds EdgeAnpr.sln: the tests run from the repository's build output.");
    }
}
