using EdgeAnpr.Agent.Capture;

namespace EdgeAnpr.Agent.Doctor;

/// <summary>Which decoder capture will start with, and why (<c>Capture:Decoder</c>, resolved as capture resolves it).</summary>
internal static class DecoderCheck
{
    public static async Task<DoctorCheck> RunAsync(CaptureOptions capture, CancellationToken cancellationToken)
    {
        if (HardwareDecoders.Find(capture.Decoder) is null
            && capture.Decoder is not (HardwareDecoders.Auto or HardwareDecoders.Software))
        {
            // The configuration check names the bad value; capture would not start.
            return DoctorCheck.Fail("decoder", HardwareDecoders.SettingError);
        }

        var choice = await DecoderChoice.ResolveAsync(capture.Decoder, capture.FfmpegPath, cancellationToken);
        var detail = $"{choice.Description}: {choice.Reason}";
        return choice.Doubtful ? DoctorCheck.Warn("decoder", detail) : DoctorCheck.Ok("decoder", detail);
    }
}
