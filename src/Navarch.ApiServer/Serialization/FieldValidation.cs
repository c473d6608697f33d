namespace Navarch.ApiServer.Serialization;

/// <summary>The <c>fieldValidation</c> query parameter; kube-apiserver defaults to Warn when it is absent.</summary>
public enum FieldValidation
{
    Warn,
    Strict,
    Ignore,
}
