using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>Log messages of plate reading (event ids 4200-4299).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information,
        Message = "Plate reader {Model}: input {Width}x{Height}, {Classes} classes (blank included), output as {OutputKind}")]
    public static partial void ReaderLoaded(ILogger logger, string model, int width, int height, int classes, string outputKind);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information,
        Message = "Reading plates of {Regions}: minimum confidence {IranMinConfidence} (Iranian reader), {LatinMinConfidence} (Latin reader), grammar margin {GrammarMargin} nats")]
    public static partial void ReadersReady(ILogger logger, RegionList regions, double iranMinConfidence, double latinMinConfidence, double grammarMargin);
}

/// <summary>Region codes formatted for a log line only when the line is written: <c>kz, ru</c>.</summary>
internal readonly record struct RegionList(IReadOnlyList<PlateRegion> Regions)
{
    public override string ToString() => string.Join(", ", Regions.Select(r => r.Code()));
}
