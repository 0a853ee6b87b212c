using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>Log messages of the GPIO parts (event ids 6000-6099). Lines are named with the configuration key they come from.</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "GPIO: opened {Chip} ({Driver})")]
    public static partial void ChipOpened(ILogger logger, string chip, string driver);

    [LoggerMessage(6001, LogLevel.Information, "GPIO: {Part} on line {Line} (active low: {ActiveLow})")]
    public static partial void PartWired(ILogger logger, string part, int line, bool activeLow);

    [LoggerMessage(6002, LogLevel.Information, "GPIO: relay on for {Length} (hit of priority {Priority})")]
    public static partial void RelayOn(ILogger logger, TimeSpan length, int priority);

    [LoggerMessage(6003, LogLevel.Debug, "GPIO: relay held on {Extra} longer (hit of priority {Priority})")]
    public static partial void RelayExtended(ILogger logger, TimeSpan extra, int priority);

    [LoggerMessage(6004, LogLevel.Debug, "GPIO: relay off after {Length}")]
    public static partial void RelayOff(ILogger logger, TimeSpan length);

    [LoggerMessage(6005, LogLevel.Error, "GPIO: cannot drive the {Part}: {Reason}")]
    public static partial void OutputFailed(ILogger logger, string part, string reason);

    [LoggerMessage(6006, LogLevel.Information, "GPIO: status LED shows {State}")]
    public static partial void LedState(ILogger logger, StatusLedState state);

    [LoggerMessage(6007, LogLevel.Debug, "GPIO: vehicle {Presence} the loop")]
    public static partial void Presence(ILogger logger, string presence);

    [LoggerMessage(6009, LogLevel.Error, "GPIO: cannot read the loop detector: {Reason}; trying again at its next edge")]
    public static partial void InputFailed(ILogger logger, string reason);
}
