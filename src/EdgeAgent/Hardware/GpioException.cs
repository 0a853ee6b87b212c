namespace EdgeAnpr.Agent.Hardware;

/// <summary>A GPIO chip or line could not be opened or used; the message names the chip or line and what to do.</summary>
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

    /// <summary>The errno of the failed system call, when there was one.</summary>
    public int? ErrorCode { get; init; }
}
