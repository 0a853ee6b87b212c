using System.ComponentModel.DataAnnotations;

namespace EdgeAnpr.Agent.Tracking;

/// <summary>How detections across frames become one read per vehicle pass (section <c>Tracking</c>).</summary>
public sealed class TrackingOptions
{
    public const string SectionName = "Tracking";

    /// <summary>A track not seen for this long has ended; default 1 s (a plate hidden briefly by another vehicle keeps its track).</summary>
    [Range(typeof(TimeSpan), "00:00:00.040", "00:01:00")]
    public TimeSpan MaxGap { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Reads a track needs to be reported when it ends during a live run; default 2 (one stray read is not a vehicle pass). At the end of an input every read track is reported.</summary>
    [Range(1, 100)]
    public int MinReads { get; set; } = 2;

    /// <summary>The voted read's overall confidence must reach this to be reported; default 0.5.</summary>
    [Range(0.0, 1.0)]
    public double MinConfidence { get; set; } = 0.5;

    /// <summary>A detection joins a track when its box overlaps the track's predicted box by at least this IoU; default 0.2.</summary>
    [Range(0.0, 1.0)]
    public double MinIoU { get; set; } = 0.2;

    /// <summary>…or when its centre is within this many plate widths of the prediction; default 1.5.</summary>
    [Range(0.0, 10.0)]
    public double MaxCentreDistance { get; set; } = 1.5;

    /// <summary>Tracks followed at once; the oldest ends early beyond this; default 32.</summary>
    [Range(1, 1024)]
    public int MaxTracks { get; set; } = 32;
}
