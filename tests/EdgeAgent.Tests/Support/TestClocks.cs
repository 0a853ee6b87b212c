using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>What tests need of Microsoft's fake clock beyond its own API.</summary>
internal static class TestClocks
{
    extension(FakeTimeProvider time)
    {
        /// <summary>
        /// Moves the clock forward a millisecond at a time. Microsoft's clock runs every timer that falls due inside one
        /// <c>Advance</c> with the clock already at the end of it, so a callback that reads the time (a pin change's
        /// timestamp) or re-arms from it (a blink pattern) sees the wrong moment; stepping stops the clock at each due
        /// time of these tests, which are whole milliseconds.
        /// </summary>
        public void AdvanceStepwise(TimeSpan by)
        {
            var step = TimeSpan.FromMilliseconds(1);
            for (var left = by; left > TimeSpan.Zero; left -= step)
            {
                time.Advance(left < step ? left : step);
            }
        }
    }
}
