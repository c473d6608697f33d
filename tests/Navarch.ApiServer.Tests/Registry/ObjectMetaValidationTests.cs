using k8s.Models;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Tests.Registry;

public sealed class ObjectMetaValidationTests
{
    private static List<string> Check(V1ObjectMeta meta, NameKind kind = NameKind.Dns1123Subdomain)
    {
        var errors = new List<FieldError>();
        ObjectMetaValidation.Validate(meta, kind, errors);
        return errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void MissingName_IsRequired()
    {
        Assert.Equal(["metadata.name: Required value: name or generateName is required"], Check(new V1ObjectMeta()));
    }

    [Fact]
    public void UppercaseName_FailsWithKubernetesSubdomainMessage()
    {
        Assert.Equal(
            ["metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
            Check(new V1ObjectMeta { Name = "Web" }));
    }

    [Fact]
    public void DottedName_IsValidSubdomainButNotLabel()
    {
        Assert.Empty(Check(new V1ObjectMeta { Name = "a.b" }));
        Assert.Equal(
            ["metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"],
            Check(new V1ObjectMeta { Name = "a.b" }, NameKind.Dns1123Label));
    }

    [Fact]
    public void Dns1035Label_RejectsLeadingDigit()
    {
        var errors = Check(new V1ObjectMeta { Name = "1web" }, NameKind.Dns1035Label);
        Assert.Equal(
            ["metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
            errors);
    }

    [Fact]
    public void LongLabelName_ReportsLengthAndFormat()
    {
        var name = new string('a', 64);
        Assert.Contains("metadata.name: Invalid value: \"" + name + "\": must be no more than 63 characters", Check(new V1ObjectMeta { Name = name }, NameKind.Dns1123Label));
    }

    [Fact]
    public void BadLabelKeyAndValue_AreReportedAtLabels()
    {
        var errors = Check(new V1ObjectMeta
        {
            Name = "ok",
            Labels = new Dictionary<string, string> { ["-bad"] = "ok", ["good"] = "bad value" },
        });

        Assert.Equal(
        [
            "metadata.labels: Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "metadata.labels: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ], errors);
    }

    [Fact]
    public void PrefixedLabelKeys_AreChecked()
    {
        Assert.Empty(Check(new V1ObjectMeta { Name = "ok", Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "x" } }));
        Assert.Equal(
            ["metadata.labels: Invalid value: \"/x\": prefix part must be non-empty"],
            Check(new V1ObjectMeta { Name = "ok", Labels = new Dictionary<string, string> { ["/x"] = "" } }));
        Assert.Single(Check(new V1ObjectMeta { Name = "ok", Labels = new Dictionary<string, string> { ["a/b/c"] = "" } }));
    }

    [Fact]
    public void OversizedAnnotations_AreTooLong()
    {
        var errors = Check(new V1ObjectMeta
        {
            Name = "ok",
            Annotations = new Dictionary<string, string> { ["big"] = new string('x', 256 * 1024) },
        });

        Assert.Equal(["metadata.annotations: Too long: may not be more than 262144 bytes"], errors);
    }
}
