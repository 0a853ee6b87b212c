using System.ComponentModel.DataAnnotations;

namespace EdgeAnpr.Agent.Storage;

/// <summary>Where the box keeps its state (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>The default state directory, owned by the service user (systemd <c>StateDirectory=edge-anpr</c>).</summary>
    public const string DefaultDirectory = "/var/lib/edge-anpr";

    /// <summary>The state directory: database, outbox, moved-aside files; default <see cref="DefaultDirectory"/>.</summary>
    [Required]
    public string Directory { get; set; } = DefaultDirectory;

    /// <summary>Below this much free space on the state directory's disk, <c>doctor</c> fails and the service warns; default 200 MB.</summary>
    [Range(1L * 1024 * 1024, long.MaxValue)]
    public long MinFreeBytes { get; set; } = 200L * 1024 * 1024;
}
