namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// The GPIO chip, libgpiod or a line could not be opened; the one-line message names what is missing (the chip, the
/// library and its Debian package, the configuration key of the line) and what to do.
/// </summary>
public sealed class GpioException : Exception
{
    public GpioException()
    {
    }

    public GpioException(string message)
        : base(message)
    {
    }

    public GpioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
