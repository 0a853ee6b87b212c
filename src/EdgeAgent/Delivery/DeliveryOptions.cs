using System.ComponentModel.DataAnnotations;
using EdgeAnpr.Agent.Imaging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>
/// How hits leave the box (section <c>Delivery</c>): how many are in flight at once and how long each waits for its
/// PUBACK, the heartbeat, whether
/// unmatched reads leave the box at all, and how long a replay waits for its hits to be acknowledged.
/// The outbox's own bounds are in <c>Outbox</c>.
/// </summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>Default <see cref="HeartbeatInterval"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(30);

    /// <summary>Default <see cref="MaxInFlight"/>: 100 hits.</summary>
    public const int DefaultMaxInFlight = 100;

    /// <summary>Default <see cref="ReadRetention"/>: 24 hours.</summary>
    public static readonly TimeSpan DefaultReadRetention = TimeSpan.FromHours(24);

    /// <summary>Default <see cref="DrainTimeout"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Default <see cref="PublishTimeout"/>: 30 s, a keep-alive period of the default MQTT settings.</summary>
    public static readonly TimeSpan DefaultPublishTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often the heartbeat is published; default <see cref="DefaultHeartbeatInterval"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HeartbeatInterval { get; set; } = DefaultHeartbeatInterval;

    /// <summary>
    /// Most hits published and not yet acknowledged; default <see cref="DefaultMaxInFlight"/>. Each is held in memory
    /// until its PUBACK, so this bounds that memory; the rest wait in the outbox on disk.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxInFlight { get; set; } = DefaultMaxInFlight;

    /// <summary>
    /// How long one published hit waits for its PUBACK; default <see cref="DefaultPublishTimeout"/>. A hit not
    /// acknowledged by then stays in the outbox and is published again, oldest first, with everything after it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = DefaultPublishTimeout;

    /// <summary>
    /// Also store and publish reads that match nothing (on <c>anpr/v1/{site}/{camera}/read</c>); default false: only
    /// hits leave the box. When on, a stored read is deleted once older than <see cref="ReadRetention"/>, delivered or not.
    /// </summary>
    public bool PublishReads { get; set; }

    /// <summary>How long an unmatched read may be kept; default <see cref="DefaultReadRetention"/>. Only with <see cref="PublishReads"/>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ReadRetention { get; set; } = DefaultReadRetention;

    /// <summary>How long <c>replay</c> waits, after its input has ended, for the outbox to drain; default <see cref="DefaultDrainTimeout"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DrainTimeout { get; set; } = DefaultDrainTimeout;

    /// <summary>The JPEG quality of the plate crop in a hit, 10 to 95; default <see cref="GrayCodec.DefaultJpegQuality"/>.</summary>
    [Range(10, 95)]
    public int ImageQuality { get; set; } = GrayCodec.DefaultJpegQuality;
}

/// <summary>Source-generated check of <see cref="DeliveryOptions"/>' attributes (for the options catalog).</summary>
[OptionsValidator]
internal sealed partial class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>;
