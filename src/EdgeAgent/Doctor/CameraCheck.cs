using System.Globalization;
using EdgeAnpr.Agent.Capture;

namespace EdgeAnpr.Agent.Doctor;

/// <summary>Opens the configured camera the way capture does and reads one frame.</summary>
internal static class CameraCheck
{
    public static async Task<DoctorCheck> RunAsync(CameraOptions camera, CaptureOptions capture, CancellationToken cancellationToken)
    {
        CameraSource source;
        try
        {
            source = CameraSource.Parse(camera.Source);
        }
        catch (CaptureException ex)
        {
            return DoctorCheck.Fail("camera", ex.Message);
        }

        // Opening may take the connect timeout, and the first frame of an RTSP stream waits for a key frame.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(capture.ConnectTimeout + capture.StallTimeout);
        await using var frames = new FfmpegFrameSource(source, capture);
        try
        {
            var format = await frames.OpenAsync(timeout.Token);
            var buffer = new byte[format.Width * format.Height];
            if (!await frames.ReadAsync(buffer, timeout.Token))
            {
                return DoctorCheck.Fail("camera", $"{source.Display} opened but delivered no frame");
            }

            return DoctorCheck.Ok("camera", string.Create(CultureInfo.InvariantCulture, $"{source.Display}: {format.Width}x{format.Height} at {format.FramesPerSecond:0.#} fps"));
        }
        catch (CaptureException ex)
        {
            return DoctorCheck.Fail("camera", ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DoctorCheck.Fail("camera", $"{source.Display} delivered no frame within {(capture.ConnectTimeout + capture.StallTimeout).TotalSeconds:0} s");
        }
    }
}
