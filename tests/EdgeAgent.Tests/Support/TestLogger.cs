using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>One collected log line.</summary>
internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>
/// A logger that keeps what it is given, so a test can assert on log lines (and that no error was
/// logged), and echoes it to the test output when one is given.
/// </summary>
internal sealed class TestLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly ITestOutputHelper? _output;
    private readonly long _start = TimeProvider.System.GetTimestamp();

    public TestLogger(ITestOutputHelper? output = null)
    {
        _output = output;
    }

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IReadOnlyList<LogEntry> Errors => [.. _entries.Where(e => e.Level >= LogLevel.Error)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var entry = new LogEntry(logLevel, eventId, formatter(state, exception), exception);
        _entries.Enqueue(entry);
        try
        {
            _output?.WriteLine($"{TimeProvider.System.GetElapsedTime(_start).TotalSeconds,6:0.000} {logLevel}: {entry.Message}");
        }
        catch (InvalidOperationException)
        {
            // Background work logging after its test finished; xunit no longer takes output then.
        }
    }

    /// <summary>Fails the test when anything at Error or above was logged.</summary>
    public void AssertNoErrors() =>
        Assert.True(Errors.Count == 0, "Errors were logged: " + string.Join(" | ", Errors.Select(e => e.Message)));
}
