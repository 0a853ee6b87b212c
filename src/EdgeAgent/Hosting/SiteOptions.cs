using System.ComponentModel.DataAnnotations;

namespace EdgeAnpr.Agent.Hosting;

/// <summary>Where this box stands (section <c>Site</c>).</summary>
public sealed class SiteOptions
{
    public const string SectionName = "Site";

    /// <summary>Site identifier used in topics and events; default <c>site1</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$", ErrorMessage = "Site:Id must be 1-64 letters, digits, '-' or '_' (it is part of MQTT topics).")]
    public string Id { get; set; } = "site1";
}
