using System.Text.RegularExpressions;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// The string checks of k8s.io/apimachinery/pkg/util/validation, each returning the messages Kubernetes returns
/// (empty when valid), worded exactly as Kubernetes words them so clients see the same errors.
/// </summary>
internal static partial class NameValidation
{
    public const int Dns1123SubdomainMaxLength = 253;
    public const int Dns1123LabelMaxLength = 63;
    public const int LabelValueMaxLength = 63;
    public const int QualifiedNameMaxLength = 63;

    private const string Dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFormat = Dns1123LabelFormat + "(\\." + Dns1123LabelFormat + ")*";
    private const string Dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelValueFormat = "(" + QualifiedNameFormat + ")?";
    private const string ConfigKeyFormat = "[-._a-zA-Z0-9]+";

    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    public static readonly string Dns1123LabelMessage = RegexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        Dns1123LabelFormat, "my-name", "123-abc");

    public static readonly string Dns1123SubdomainMessage = RegexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        Dns1123SubdomainFormat, "example.com");

    public static readonly string Dns1035LabelMessage = RegexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        Dns1035LabelFormat, "my-name", "abc-123");

    private static readonly string QualifiedNamePartMessage = RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc");

    private static readonly string QualifiedNameWholeMessage =
        "a qualified name " + QualifiedNamePartMessage + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";

    private static readonly string LabelValueMessage = RegexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LabelValueFormat, "MyValue", "my_value", "12345");

    private static readonly string ConfigKeyMessage = RegexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'", ConfigKeyFormat, "key.name", "KEY_NAME", "key-name");

    [GeneratedRegex("^" + Dns1123LabelFormat + "$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex("^" + Dns1123SubdomainFormat + "$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex("^" + Dns1035LabelFormat + "$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035LabelRegex();

    [GeneratedRegex("^" + QualifiedNameFormat + "$", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedNameRegex();

    [GeneratedRegex("^" + LabelValueFormat + "$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValueRegex();

    [GeneratedRegex("^" + ConfigKeyFormat + "$", RegexOptions.CultureInvariant)]
    private static partial Regex ConfigKeyRegex();

    public static List<string> IsDns1123Label(string value)
    {
        var errors = new List<string>();
        if (value.Length > Dns1123LabelMaxLength)
        {
            errors.Add(MaxLength(Dns1123LabelMaxLength));
        }

        if (!Dns1123LabelRegex().IsMatch(value))
        {
            errors.Add(Dns1123LabelMessage);
        }

        return errors;
    }

    public static List<string> IsDns1123Subdomain(string value)
    {
        var errors = new List<string>();
        if (value.Length > Dns1123SubdomainMaxLength)
        {
            errors.Add(MaxLength(Dns1123SubdomainMaxLength));
        }

        if (!Dns1123SubdomainRegex().IsMatch(value))
        {
            errors.Add(Dns1123SubdomainMessage);
        }

        return errors;
    }

    public static List<string> IsDns1035Label(string value)
    {
        var errors = new List<string>();
        if (value.Length > Dns1123LabelMaxLength)
        {
            errors.Add(MaxLength(Dns1123LabelMaxLength));
        }

        if (!Dns1035LabelRegex().IsMatch(value))
        {
            errors.Add(Dns1035LabelMessage);
        }

        return errors;
    }

    /// <summary>A label or annotation key: an optional DNS subdomain prefix and '/', then a name of up to 63 characters.</summary>
    public static List<string> IsQualifiedName(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    foreach (var message in IsDns1123Subdomain(prefix))
                    {
                        errors.Add("prefix part " + message);
                    }
                }

                break;
            default:
                errors.Add(QualifiedNameWholeMessage);
                return errors;
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > QualifiedNameMaxLength)
        {
            errors.Add("name part " + MaxLength(QualifiedNameMaxLength));
        }

        if (!QualifiedNameRegex().IsMatch(name))
        {
            errors.Add("name part " + QualifiedNamePartMessage);
        }

        return errors;
    }

    public static List<string> IsValidLabelValue(string value)
    {
        var errors = new List<string>();
        if (value.Length > LabelValueMaxLength)
        {
            errors.Add(MaxLength(LabelValueMaxLength));
        }

        if (!LabelValueRegex().IsMatch(value))
        {
            errors.Add(LabelValueMessage);
        }

        return errors;
    }

    /// <summary>A ConfigMap or Secret data key.</summary>
    public static List<string> IsConfigMapKey(string value)
    {
        var errors = new List<string>();
        if (value.Length > Dns1123SubdomainMaxLength)
        {
            errors.Add(MaxLength(Dns1123SubdomainMaxLength));
        }

        if (!ConfigKeyRegex().IsMatch(value))
        {
            errors.Add(ConfigKeyMessage);
        }

        if (value == ".")
        {
            errors.Add("must not be '.'");
        }
        else if (value == "..")
        {
            errors.Add("must not be '..'");
        }
        else if (value.StartsWith("..", StringComparison.Ordinal))
        {
            errors.Add("must not start with '..'");
        }

        return errors;
    }

    /// <summary>
    /// An environment variable name under Kubernetes 1.32's relaxed rule (RelaxedEnvironmentVariableValidation, on by
    /// default): any printable ASCII other than '='.
    /// </summary>
    public static List<string> IsEnvVarName(string value)
    {
        var errors = new List<string>();
        foreach (var c in value)
        {
            if (c < ' ' || c > '~' || c == '=')
            {
                errors.Add("a valid environment variable name must consist only of printable ASCII characters other than '='");
                break;
            }
        }

        return errors;
    }

    /// <summary>An IANA service name, as container port names and named target ports must be.</summary>
    public static List<string> IsValidPortName(string value)
    {
        var errors = new List<string>();
        if (value.Length > 15)
        {
            errors.Add(MaxLength(15));
        }

        var hasLetter = false;
        foreach (var c in value)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            {
                errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
                break;
            }

            hasLetter |= c is >= 'a' and <= 'z';
        }

        if (value.Contains("--", StringComparison.Ordinal))
        {
            errors.Add("must not contain consecutive hyphens");
        }

        if (value.Length > 0 && (value[0] == '-' || value[^1] == '-'))
        {
            errors.Add("must not begin or end with a hyphen");
        }

        if (!hasLetter)
        {
            errors.Add("must contain at least one letter (a-z)");
        }

        return errors;
    }

    public static string MaxLength(int length) => $"must be no more than {length} characters";

    public static string InclusiveRange(long low, long high) => $"must be between {low} and {high}, inclusive";

    // Mirrors validation.RegexError: the message, then the examples and the regex in parentheses.
    private static string RegexError(string message, string format, params string[] examples)
    {
        var text = message + " (";
        if (examples.Length > 0)
        {
            text += "e.g. '" + string.Join("',  or '", examples) + "', ";
        }

        return text + "regex used for validation is '" + format + "')";
    }
}
