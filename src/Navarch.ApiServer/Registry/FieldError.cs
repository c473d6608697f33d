using System.Globalization;
using System.Text;

namespace Navarch.ApiServer.Registry;

/// <summary>
/// One validation failure at a field path, rendered the way k8s.io/apimachinery's field.Error renders it,
/// e.g. <c>spec.containers[0].image: Required value</c> or
/// <c>metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of ...</c>.
/// </summary>
public sealed record FieldError(FieldErrorType Type, string Field, object? BadValue, string Detail)
{
    public static FieldError Required(string field, string detail = "") => new(FieldErrorType.Required, field, null, detail);

    public static FieldError Invalid(string field, object? value, string detail) => new(FieldErrorType.Invalid, field, value, detail);

    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, null, detail);

    public static FieldError Duplicate(string field, object? value) => new(FieldErrorType.Duplicate, field, value, "");

    public static FieldError NotSupported(string field, object? value, IEnumerable<string> supported) =>
        new(FieldErrorType.NotSupported, field, value, "supported values: " + string.Join(", ", supported.Select(v => $"\"{v}\"")));

    public static FieldError TooLong(string field, object? value, int max) =>
        new(FieldErrorType.TooLong, field, value, $"may not be more than {max} bytes");

    /// <summary>The Status cause reason, e.g. <c>FieldValueRequired</c>.</summary>
    public string Reason => Type switch
    {
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        _ => "FieldValueNotFound",
    };

    private string TypeText => Type switch
    {
        FieldErrorType.Required => "Required value",
        FieldErrorType.Invalid => "Invalid value",
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.TooMany => "Too many",
        _ => "Not found",
    };

    /// <summary>The message without the field path, as the Status cause carries it.</summary>
    public string Message
    {
        get
        {
            var text = new StringBuilder(TypeText);
            if (Type is FieldErrorType.Invalid or FieldErrorType.NotSupported or FieldErrorType.Duplicate or FieldErrorType.NotFound
                || (Type == FieldErrorType.TooLong && BadValue is not null))
            {
                text.Append(": ").Append(FormatValue(BadValue));
            }

            if (Detail.Length > 0)
            {
                text.Append(": ").Append(Detail);
            }

            return text.ToString();
        }
    }

    public override string ToString() => $"{Field}: {Message}";

    private static string FormatValue(object? value) => value switch
    {
        null => "\"null\"",
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
