namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>Polls a condition instead of sleeping a fixed time: fast when things work, bounded when they do not.</summary>
internal static class Wait
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(Poll);
        }
    }
}
