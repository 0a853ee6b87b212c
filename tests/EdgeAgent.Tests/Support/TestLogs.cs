using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>
/// Collecting loggers (<see cref="FakeLogger{T}"/>) that also echo to a test's output, and the two questions tests ask
/// of them most.
/// </summary>
internal static class TestLogs
{
    /// <summary>A logger that keeps every record and writes each to <paramref name="output"/>.</summary>
    public static FakeLogger<T> For<T>(ITestOutputHelper output) =>
        new(FakeLogCollector.Create(new FakeLogCollectorOptions { OutputSink = line => Echo(output, line) }));

    extension(FakeLogger logger)
    {
        /// <summary>The records at Error or above, so far.</summary>
        public IReadOnlyList<FakeLogRecord> Errors => [.. logger.Collector.GetSnapshot().Where(r => r.Level >= LogLevel.Error)];

        /// <summary>Fails the test when anything at Error or above was logged.</summary>
        public void AssertNoErrors()
        {
            var errors = logger.Errors;
            Assert.True(errors.Count == 0, "Errors were logged: " + string.Join(" | ", errors.Select(e => e.Message)));
        }
    }

    private static void Echo(ITestOutputHelper output, string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // Background work logging after its test finished; xunit no longer takes output then.
        }
    }
}
