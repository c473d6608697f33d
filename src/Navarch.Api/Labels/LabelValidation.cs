using System.Text;

namespace Navarch.Api.Labels;

/// <summary>
/// Validation of label keys and values with the messages of k8s.io/apimachinery/pkg/util/validation,
/// so an invalid selector or label is reported with the same words kube-apiserver uses.
/// Each method returns the list of problems; an empty list means the value is valid.
/// </summary>
public static class LabelValidation
{
    /// <summary>The longest label value, and the longest name part of a qualified name.</summary>
    public const int LabelValueMaxLength = 63;

    /// <summary>The longest DNS-1123 subdomain (the prefix of a qualified name).</summary>
    public const int Dns1123SubdomainMaxLength = 253;

    private const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private const string LabelValueFormat = "(" + QualifiedNameFormat + ")?";
    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private const string Dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFormat = Dns1123LabelFormat + "(\\." + Dns1123LabelFormat + ")*";
    private const string Dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    private static readonly string[] NoErrors = [];

    /// <summary>As validation.IsQualifiedName: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static IReadOnlyList<string> IsQualifiedName(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        List<string>? errors = null;
        string name;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            name = value;
        }
        else if (value.IndexOf('/', slash + 1) >= 0)
        {
            return
            [
                "a qualified name " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc") +
                " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
            ];
        }
        else
        {
            var prefix = value[..slash];
            name = value[(slash + 1)..];
            if (prefix.Length == 0)
            {
                (errors ??= []).Add("prefix part must be non-empty");
            }
            else
            {
                foreach (var message in IsDns1123Subdomain(prefix))
                {
                    (errors ??= []).Add("prefix part " + message);
                }
            }
        }

        if (name.Length == 0)
        {
            (errors ??= []).Add("name part must be non-empty");
        }
        else if (ByteLength(name) > LabelValueMaxLength)
        {
            (errors ??= []).Add("name part " + MaxLengthError(LabelValueMaxLength));
        }

        if (!IsQualifiedNamePart(name))
        {
            (errors ??= []).Add("name part " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc"));
        }

        return errors ?? (IReadOnlyList<string>)NoErrors;
    }

    /// <summary>As validation.IsValidLabelValue: empty, or at most 63 characters of a qualified-name part.</summary>
    public static IReadOnlyList<string> IsValidLabelValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        List<string>? errors = null;
        if (ByteLength(value) > LabelValueMaxLength)
        {
            (errors ??= []).Add(MaxLengthError(LabelValueMaxLength));
        }

        if (value.Length != 0 && !IsQualifiedNamePart(value))
        {
            (errors ??= []).Add(RegexError(LabelValueMessage, LabelValueFormat, "MyValue", "my_value", "12345"));
        }

        return errors ?? (IReadOnlyList<string>)NoErrors;
    }

    /// <summary>As validation.IsDNS1123Subdomain.</summary>
    public static IReadOnlyList<string> IsDns1123Subdomain(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        List<string>? errors = null;
        if (ByteLength(value) > Dns1123SubdomainMaxLength)
        {
            (errors ??= []).Add(MaxLengthError(Dns1123SubdomainMaxLength));
        }

        if (!IsDns1123SubdomainSyntax(value))
        {
            (errors ??= []).Add(RegexError(Dns1123SubdomainMessage, Dns1123SubdomainFormat, "example.com"));
        }

        return errors ?? (IReadOnlyList<string>)NoErrors;
    }

    /// <summary>As validation.MaxLenError.</summary>
    internal static string MaxLengthError(int length) => $"must be no more than {length} characters";

    /// <summary>
    /// As validation.RegexError, including its quirk of two spaces between examples
    /// ("(e.g. 'MyName',  or 'my.name', ..."), which clients may match on.
    /// </summary>
    internal static string RegexError(string message, string format, params string[] examples)
    {
        var sb = new StringBuilder(message);
        if (examples.Length == 0)
        {
            return sb.Append(" (regex used for validation is '").Append(format).Append("')").ToString();
        }

        sb.Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" or ");
            }

            sb.Append('\'').Append(examples[i]).Append("', ");
        }

        return sb.Append("regex used for validation is '").Append(format).Append("')").ToString();
    }

    // Go measures strings in UTF-8 bytes; so do we, so that non-ASCII input gets the same length errors.
    private static int ByteLength(string value) => Encoding.UTF8.GetByteCount(value);

    private static bool IsAsciiAlphanumeric(char c) => char.IsAsciiLetterOrDigit(c);

    private static bool IsQualifiedNamePart(string value)
    {
        if (value.Length == 0 || !IsAsciiAlphanumeric(value[0]) || !IsAsciiAlphanumeric(value[^1]))
        {
            return false;
        }

        for (var i = 1; i < value.Length - 1; i++)
        {
            var c = value[i];
            if (!IsAsciiAlphanumeric(c) && c != '-' && c != '_' && c != '.')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDns1123SubdomainSyntax(string value)
    {
        var start = 0;
        while (true)
        {
            var dot = value.IndexOf('.', start);
            var end = dot < 0 ? value.Length : dot;
            if (!IsDns1123Label(value.AsSpan(start, end - start)))
            {
                return false;
            }

            if (dot < 0)
            {
                return true;
            }

            start = dot + 1;
        }
    }

    private static bool IsDns1123Label(ReadOnlySpan<char> label)
    {
        static bool IsLowerAlnum(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

        if (label.Length == 0 || !IsLowerAlnum(label[0]) || !IsLowerAlnum(label[^1]))
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!IsLowerAlnum(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
