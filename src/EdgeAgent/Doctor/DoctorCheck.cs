namespace EdgeAnpr.Agent.Doctor;

public enum CheckOutcome
{
    Ok,

    /// <summary>Worth a look, but the box can work (the clock is not NTP-synchronised yet).</summary>
    Warn,

    Fail,
}

/// <summary>One line of <c>edge-anpr doctor</c>: what was checked, how it went, and what was seen or what to do.</summary>
public sealed record DoctorCheck(string Name, CheckOutcome Outcome, string Detail)
{
    public static DoctorCheck Ok(string name, string detail) => new(name, CheckOutcome.Ok, detail);

    public static DoctorCheck Warn(string name, string detail) => new(name, CheckOutcome.Warn, detail);

    public static DoctorCheck Fail(string name, string detail) => new(name, CheckOutcome.Fail, detail);
}
