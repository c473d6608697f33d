namespace Navarch.ApiServer.Registry;

/// <summary>The kinds of field error kube-apiserver reports, with their Status cause reasons.</summary>
public enum FieldErrorType
{
    /// <summary>FieldValueRequired: "Required value".</summary>
    Required,

    /// <summary>FieldValueInvalid: "Invalid value".</summary>
    Invalid,

    /// <summary>FieldValueNotSupported: "Unsupported value".</summary>
    NotSupported,

    /// <summary>FieldValueDuplicate: "Duplicate value".</summary>
    Duplicate,

    /// <summary>FieldValueForbidden: "Forbidden".</summary>
    Forbidden,

    /// <summary>FieldValueTooLong: "Too long".</summary>
    TooLong,

    /// <summary>FieldValueTooMany: "Too many".</summary>
    TooMany,

    /// <summary>FieldValueNotFound: "Not found".</summary>
    NotFound,
}
