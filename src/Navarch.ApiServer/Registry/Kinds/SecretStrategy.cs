using System.Text;
using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>Secrets, after pkg/registry/core/secret/strategy.go and ValidateSecret.</summary>
internal sealed class SecretStrategy : ResourceStrategy<V1Secret>
{
    private static readonly IReadOnlyCollection<string> SelectFields = ["type"];

    public override IReadOnlyCollection<string> SelectableFields => SelectFields;

    /// <summary>
    /// Type Opaque by default; <c>stringData</c> is folded into <c>data</c> (its values win) and dropped, as
    /// kube-apiserver's v1 conversion does, so it is never stored.
    /// </summary>
    protected override void Default(V1Secret obj)
    {
        if (string.IsNullOrEmpty(obj.Type))
        {
            obj.Type = "Opaque";
        }

        if (obj.StringData is { Count: > 0 } stringData)
        {
            obj.Data ??= new Dictionary<string, byte[]>();
            foreach (var (key, value) in stringData)
            {
                obj.Data[key] = Encoding.UTF8.GetBytes(value ?? "");
            }
        }

        obj.StringData = null;
    }

    protected override void Validate(V1Secret obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var total = DataMapValidation.ValidateKeys(obj.Data, "data", v => v.Length, errors);
        if (total > DataMapValidation.MaxSize)
        {
            errors.Add(FieldError.TooLong("data", null, DataMapValidation.MaxSize));
        }

        switch (obj.Type)
        {
            case "kubernetes.io/service-account-token":
                if (obj.Metadata?.Annotations?.TryGetValue("kubernetes.io/service-account.name", out var account) != true || string.IsNullOrEmpty(account))
                {
                    errors.Add(FieldError.Required("metadata.annotations[kubernetes.io/service-account.name]"));
                }

                break;
            case "kubernetes.io/dockercfg":
                RequireKey(obj, ".dockercfg", errors);
                break;
            case "kubernetes.io/dockerconfigjson":
                RequireKey(obj, ".dockerconfigjson", errors);
                break;
            case "kubernetes.io/basic-auth":
                if (obj.Data?.ContainsKey("username") != true && obj.Data?.ContainsKey("password") != true)
                {
                    errors.Add(FieldError.Required("data[username]"));
                    errors.Add(FieldError.Required("data[password]"));
                }

                break;
            case "kubernetes.io/ssh-auth":
                RequireKey(obj, "ssh-privatekey", errors);
                break;
            case "kubernetes.io/tls":
                RequireKey(obj, "tls.crt", errors);
                RequireKey(obj, "tls.key", errors);
                break;
        }
    }

    protected override void ValidateUpdate(V1Secret obj, V1Secret old, List<FieldError> errors)
    {
        Validate(obj, errors);
        ObjectMetaValidation.ValidateImmutable(obj.Type, old.Type, "type", errors);
        DataMapValidation.ValidateImmutable(obj.Immutable, old.Immutable, [("data", obj.Data, old.Data)], errors);
    }

    protected override string GetSelectableField(V1Secret obj, string field) => field == "type" ? obj.Type ?? "" : "";

    private static void RequireKey(V1Secret obj, string key, List<FieldError> errors)
    {
        if (obj.Data?.ContainsKey(key) != true)
        {
            errors.Add(FieldError.Required($"data[{key}]"));
        }
    }
}
