using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Storage;

/// <summary>
/// Bounds of the durable outbox of undelivered hits (section <c>Outbox</c>). When the broker stays away long
/// enough to cross one, the oldest hits are evicted, counted and logged (never silently).
/// </summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>Default <see cref="MaxItems"/>: 100 000 hits, weeks of a busy road.</summary>
    public const int DefaultMaxItems = 100_000;

    /// <summary>Default <see cref="MaxBytes"/>: 512 MiB of payloads.</summary>
    public const long DefaultMaxBytes = 512L * 1024 * 1024;

    /// <summary>Default <see cref="MaxAge"/>: 30 days.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromDays(30);

    /// <summary>Most hits kept; default <see cref="DefaultMaxItems"/>.</summary>
    [Range(1, 100_000_000)]
    public int MaxItems { get; set; } = DefaultMaxItems;

    /// <summary>Most payload bytes kept (SQLite's own overhead comes on top); default <see cref="DefaultMaxBytes"/>.</summary>
    [Range(64L * 1024, 1L << 40)]
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>Hits older than this are evicted; default <see cref="DefaultMaxAge"/>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = DefaultMaxAge;
}

/// <summary>Source-generated check of <see cref="OutboxOptions"/>' attributes (for the options catalog).</summary>
[OptionsValidator]
internal sealed partial class OutboxOptionsValidator : IValidateOptions<OutboxOptions>;
