using System.ComponentModel.DataAnnotations;
using System.Globalization;
using EdgeAnpr.Shared.Watchlist;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>
/// The watchlist (section <c>Watchlist</c>): which station keys the box trusts, how large a station message may be,
/// and how tolerant matching is per priority.
/// <code>
/// "Watchlist": {
///   "StationKeyFiles": [ "/etc/edge-anpr/station-public.pem" ],
///   "SubstitutionsByPriority": { "1": 1, "2": 1, "3": 0 },
///   "MissingOrExtraByPriority": { "1": true, "2": false }
/// }
/// </code>
/// </summary>
public sealed class WatchlistOptions : IValidatableObject
{
    public const string SectionName = "Watchlist";

    /// <summary>Default <see cref="MaxMessageBytes"/>: 8 MiB, which carries a gzipped snapshot of some 200,000 entries.</summary>
    public const long DefaultMaxMessageBytes = 8L * 1024 * 1024;

    /// <summary>Default <see cref="MaxBodyBytes"/>: 64 MiB of body JSON after decompression.</summary>
    public const long DefaultMaxBodyBytes = 64L * 1024 * 1024;

    /// <summary>Default <see cref="MaxHeldDeltas"/>.</summary>
    public const int DefaultMaxHeldDeltas = 64;

    /// <summary>Default <see cref="ReloadCheckInterval"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultReloadCheckInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Confusable substitutions allowed when <see cref="SubstitutionsByPriority"/> is empty: one for priorities 1 and 2,
    /// none (exact only) from 3. The most urgent entries are worth a few more checks by a person; routine ones are not.
    /// </summary>
    public static IReadOnlyDictionary<int, int> DefaultSubstitutions { get; } = new Dictionary<int, int> { [1] = 1, [2] = 1, [3] = 0 };

    /// <summary>Whether one missing or extra character is allowed when <see cref="MissingOrExtraByPriority"/> is empty: priority 1 only.</summary>
    public static IReadOnlyDictionary<int, bool> DefaultMissingOrExtra { get; } = new Dictionary<int, bool> { [1] = true, [2] = false };

    /// <summary>The most confusable substitutions a priority may allow.</summary>
    public const int MaxSubstitutions = 3;

    /// <summary>
    /// PEM public keys (<c>-----BEGIN PUBLIC KEY-----</c>, ECDSA P-256) of the stations whose signed snapshots and
    /// deltas this box applies; each key's id is computed from it (<see cref="StationKey.Id"/>). Two files while a
    /// station rotates its key. Empty (the default): station sync is refused, and the box keeps the list it has.
    /// </summary>
    public IList<string> StationKeyFiles { get; } = new List<string>();

    /// <summary>
    /// The largest station message accepted, as received, checked before anything is parsed; default
    /// <see cref="DefaultMaxMessageBytes"/>. (The MQTT transport's incoming queue is bounded in messages, not bytes:
    /// a message is copied before it can be refused.)
    /// </summary>
    [Range(1024L, 256L * 1024 * 1024)]
    public long MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;

    /// <summary>The largest signed body accepted after decompression (a gzip bomb stops here); default <see cref="DefaultMaxBodyBytes"/>.</summary>
    [Range(1024L, 1024L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>
    /// Deltas kept in memory after a version gap, waiting for the next snapshot; default <see cref="DefaultMaxHeldDeltas"/>.
    /// Together they also never take more than <see cref="MaxMessageBytes"/>; past either bound the oldest is dropped.
    /// </summary>
    [Range(0, 1024)]
    public int MaxHeldDeltas { get; set; } = DefaultMaxHeldDeltas;

    /// <summary>
    /// How many characters of a read may differ from an entry's plate within a confusion class (0/O/D/Q, 1/I/7, 2/Z,
    /// 5/S, 8/B, the look-alike Persian letters and digits) and still hit, by the entry's priority:
    /// <c>"Watchlist:SubstitutionsByPriority:1": 1</c>. A priority takes the value of the largest key not above it (one
    /// below every key takes the smallest key's). Values 0 to <see cref="MaxSubstitutions"/>. Empty (the default) means
    /// <see cref="DefaultSubstitutions"/>; a configured table replaces the defaults as a whole.
    /// </summary>
    public Dictionary<string, int> SubstitutionsByPriority { get; set; } = [];

    /// <summary>
    /// Whether a read with one character missing or one extra (the rest exact) hits, by priority, with the rule of
    /// <see cref="SubstitutionsByPriority"/>. Empty (the default) means <see cref="DefaultMissingOrExtra"/>.
    /// </summary>
    public Dictionary<string, bool> MissingOrExtraByPriority { get; set; } = [];

    /// <summary>
    /// How often the service checks the database for changes made by another process (<c>watchlist import</c>) and
    /// reloads its match index; default <see cref="DefaultReloadCheckInterval"/>. Station syncs reload at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReloadCheckInterval { get; set; } = DefaultReloadCheckInterval;

    /// <summary>The configured substitution table, or the defaults.</summary>
    public IReadOnlyDictionary<int, int> Substitutions() => Table(SubstitutionsByPriority, DefaultSubstitutions);

    /// <summary>The configured missing-or-extra table, or the defaults.</summary>
    public IReadOnlyDictionary<int, bool> MissingOrExtra() => Table(MissingOrExtraByPriority, DefaultMissingOrExtra);

    /// <summary>Checks across keys and of the key files; each message names its key.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < StationKeyFiles.Count; i++)
        {
            var path = StationKeyFiles[i];
            var key = $"Watchlist:StationKeyFiles:{i}";
            string? problem = null;
            string? id = null;
            try
            {
                using var station = StationKey.FromPublicPem(File.ReadAllText(path));
                id = station.Id;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                problem = ex is FileNotFoundException or DirectoryNotFoundException ? "does not exist" : ex.Message.TrimEnd('.');
            }

            if (problem is not null)
            {
                yield return new ValidationResult($"{key} '{path}': {problem}.", [nameof(StationKeyFiles)]);
            }
            else if (!ids.TryAdd(id!, path))
            {
                yield return new ValidationResult($"{key} '{path}' is the same key ({id}) as '{ids[id!]}'.", [nameof(StationKeyFiles)]);
            }
        }

        foreach (var (priority, substitutions) in SubstitutionsByPriority)
        {
            if (!TryParsePriority(priority, out _))
            {
                yield return new ValidationResult(
                    $"Watchlist:SubstitutionsByPriority:{priority} is not a priority: the keys are whole numbers, as in Watchlist:SubstitutionsByPriority:1.",
                    [nameof(SubstitutionsByPriority)]);
            }
            else if (substitutions is < 0 or > MaxSubstitutions)
            {
                yield return new ValidationResult(
                    $"Watchlist:SubstitutionsByPriority:{priority} is {substitutions}; it must be 0 to {MaxSubstitutions}.", [nameof(SubstitutionsByPriority)]);
            }
        }

        foreach (var priority in MissingOrExtraByPriority.Keys.Where(k => !TryParsePriority(k, out _)))
        {
            yield return new ValidationResult(
                $"Watchlist:MissingOrExtraByPriority:{priority} is not a priority: the keys are whole numbers, as in Watchlist:MissingOrExtraByPriority:1.",
                [nameof(MissingOrExtraByPriority)]);
        }
    }

    private static IReadOnlyDictionary<int, T> Table<T>(Dictionary<string, T> configured, IReadOnlyDictionary<int, T> defaults)
    {
        var table = new Dictionary<int, T>();
        foreach (var (key, value) in configured)
        {
            if (TryParsePriority(key, out var priority))
            {
                table[priority] = value;
            }
        }

        return table.Count > 0 ? table : defaults;
    }

    private static bool TryParsePriority(string key, out int priority) =>
        int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out priority);
}
