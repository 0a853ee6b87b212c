using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Hosting;

/// <summary>
/// Checks a configuration before anything is opened: keys that no options class knows (a typo would
/// otherwise be ignored silently and the default used), values that do not convert, and values out of
/// range. Each problem is one line naming the full key.
/// </summary>
internal static class ConfigurationValidator
{
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var problems = new List<string>();
        var known = OptionsCatalog.Entries.ToDictionary(e => e.Section, StringComparer.OrdinalIgnoreCase);
        foreach (var section in configuration.GetChildren())
        {
            if (OptionsCatalog.FrameworkSections.Contains(section.Key))
            {
                continue;
            }

            if (!known.TryGetValue(section.Key, out var entry))
            {
                problems.Add($"Unknown configuration section '{section.Path}' (known sections: {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))}).");
                continue;
            }

            FindUnknownKeys(section, entry.OptionsType, problems);
        }

        if (problems.Count == 0)
        {
            foreach (var entry in OptionsCatalog.Entries)
            {
                problems.AddRange(entry.Check(configuration));
            }
        }

        return problems;
    }

    private static void FindUnknownKeys(IConfigurationSection section, Type type, List<string> problems)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || IsCollection(p.PropertyType))
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problems.Add($"Unknown configuration key '{child.Path}' (known keys in '{section.Path}': {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}).");
            }
            else if (IsNested(property.PropertyType))
            {
                FindUnknownKeys(child, property.PropertyType, problems);
            }
        }
    }

    // Options classes nest plain classes (checked key by key); strings, values and collections are leaves here.
    private static bool IsNested(Type type) =>
        type.IsClass && type != typeof(string) && !IsCollection(type);

    private static bool IsCollection(Type type) =>
        type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);
}
