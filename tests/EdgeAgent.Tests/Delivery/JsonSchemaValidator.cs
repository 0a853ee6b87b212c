using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>
/// A small JSON Schema (draft 2020-12) validator for the keywords the project's schemas use: <c>type</c>,
/// <c>required</c>, <c>properties</c>, <c>additionalProperties</c>, <c>enum</c>, <c>minimum</c>/<c>maximum</c>,
/// <c>minLength</c>/<c>maxLength</c>, <c>pattern</c>, <c>format</c> (<c>uuid</c>, <c>date-time</c>, asserted),
/// <c>items</c>, and local <c>$ref</c> into <c>$defs</c>. No validator package is in this machine's package source.
/// A keyword it does not know fails loudly (annotations excepted), so a schema cannot use one unchecked.
/// </summary>
internal sealed class JsonSchemaValidator
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default", "contentEncoding", "contentMediaType",
    };

    /// <summary>RFC 3339 section 5.6 <c>date-time</c>.</summary>
    private static readonly Regex DateTime = new(
        @"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant);

    /// <summary>RFC 4122/9562 textual form, any version.</summary>
    private static readonly Regex Uuid = new("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", RegexOptions.CultureInvariant);

    private readonly JsonElement _root;

    public JsonSchemaValidator(JsonElement schema)
    {
        _root = schema.Clone();
    }

    public static JsonSchemaValidator Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return new JsonSchemaValidator(document.RootElement);
    }

    /// <summary>Every violation, as <c>path: problem</c>; empty when <paramref name="json"/> is valid.</summary>
    public IReadOnlyList<string> Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Validate(document.RootElement);
    }

    public IReadOnlyList<string> Validate(JsonElement instance)
    {
        var errors = new List<string>();
        Check(_root, instance, "$", errors);
        return errors;
    }

    private void Check(JsonElement schema, JsonElement instance, string path, List<string> errors)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: not allowed here");
            return;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "$ref":
                    Check(Resolve(value.GetString()!), instance, path, errors);
                    break;
                case "type":
                    var types = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(t => t.GetString()!).ToArray() : [value.GetString()!];
                    if (!types.Any(t => IsType(instance, t)))
                    {
                        errors.Add($"{path}: is {Describe(instance)}, not {string.Join(" or ", types)}");
                    }

                    break;
                case "enum":
                    if (!value.EnumerateArray().Any(v => JsonElement.DeepEquals(v, instance)))
                    {
                        errors.Add($"{path}: {instance.GetRawText()} is not one of {value.GetRawText()}");
                    }

                    break;
                case "required":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var name in value.EnumerateArray().Select(n => n.GetString()!).Where(n => !instance.TryGetProperty(n, out _)))
                        {
                            errors.Add($"{path}: required member '{name}' is missing");
                        }
                    }

                    break;
                case "properties":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var property in value.EnumerateObject())
                        {
                            if (instance.TryGetProperty(property.Name, out var member))
                            {
                                Check(property.Value, member, $"{path}.{property.Name}", errors);
                            }
                        }
                    }

                    break;
                case "additionalProperties":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        var declared = schema.TryGetProperty("properties", out var properties)
                            ? properties.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
                            : [];
                        foreach (var member in instance.EnumerateObject().Where(m => !declared.Contains(m.Name)))
                        {
                            if (value.ValueKind == JsonValueKind.False)
                            {
                                errors.Add($"{path}: member '{member.Name}' is not allowed");
                            }
                            else
                            {
                                Check(value, member.Value, $"{path}.{member.Name}", errors);
                            }
                        }
                    }

                    break;
                case "items":
                    if (instance.ValueKind == JsonValueKind.Array)
                    {
                        var index = 0;
                        foreach (var item in instance.EnumerateArray())
                        {
                            Check(value, item, $"{path}[{index++}]", errors);
                        }
                    }

                    break;
                case "minimum":
                    if (instance.ValueKind == JsonValueKind.Number && instance.GetDouble() < value.GetDouble())
                    {
                        errors.Add($"{path}: {instance.GetRawText()} is less than the minimum {value.GetRawText()}");
                    }

                    break;
                case "maximum":
                    if (instance.ValueKind == JsonValueKind.Number && instance.GetDouble() > value.GetDouble())
                    {
                        errors.Add($"{path}: {instance.GetRawText()} is more than the maximum {value.GetRawText()}");
                    }

                    break;
                case "minLength":
                    if (instance.ValueKind == JsonValueKind.String && Length(instance) < value.GetInt32())
                    {
                        errors.Add($"{path}: is shorter than {value.GetInt32()} characters");
                    }

                    break;
                case "maxLength":
                    if (instance.ValueKind == JsonValueKind.String && Length(instance) > value.GetInt32())
                    {
                        errors.Add($"{path}: is longer than {value.GetInt32()} characters");
                    }

                    break;
                case "pattern":
                    // ECMA-262 regular expressions; the schemas keep to the part .NET reads the same way.
                    if (instance.ValueKind == JsonValueKind.String && !Regex.IsMatch(instance.GetString()!, value.GetString()!, RegexOptions.CultureInvariant))
                    {
                        errors.Add($"{path}: '{Shorten(instance.GetString()!)}' does not match {value.GetString()}");
                    }

                    break;
                case "format":
                    if (instance.ValueKind == JsonValueKind.String && !IsFormat(instance.GetString()!, value.GetString()!))
                    {
                        errors.Add($"{path}: '{Shorten(instance.GetString()!)}' is not a valid {value.GetString()}");
                    }

                    break;
                default:
                    if (!Annotations.Contains(keyword.Name))
                    {
                        throw new NotSupportedException($"Schema keyword '{keyword.Name}' at {path} is not supported by this validator.");
                    }

                    break;
            }
        }
    }

    private JsonElement Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only local references are supported, not '{reference}'.");
        }

        var target = _root;
        foreach (var segment in reference[2..].Split('/'))
        {
            target = target.GetProperty(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return target;
    }

    private static bool IsType(JsonElement instance, string type) => type switch
    {
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "string" => instance.ValueKind == JsonValueKind.String,
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => instance.ValueKind == JsonValueKind.Null,
        "number" => instance.ValueKind == JsonValueKind.Number,
        "integer" => instance.ValueKind == JsonValueKind.Number && double.IsInteger(instance.GetDouble()),
        _ => throw new NotSupportedException($"Unknown type '{type}'."),
    };

    private static bool IsFormat(string text, string format) => format switch
    {
        "uuid" => Uuid.IsMatch(text),
        "date-time" => DateTime.IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
        _ => throw new NotSupportedException($"Format '{format}' is not supported by this validator."),
    };

    /// <summary>JSON Schema counts characters as Unicode code points, not UTF-16 units.</summary>
    private static int Length(JsonElement text) => text.GetString()!.EnumerateRunes().Count();

    private static string Describe(JsonElement instance) => instance.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : new StringBuilder(text, 0, 37, 40).Append("...").ToString();
}
