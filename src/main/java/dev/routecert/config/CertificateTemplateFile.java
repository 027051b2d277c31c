package dev.routecert.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.policy.CertificateTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the {@code --certificate-template} file once, at start: a template changes every planned
 * Certificate, so it is changed by a restart (a rollout), not by editing a mounted file.
 */
public final class CertificateTemplateFile {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private CertificateTemplateFile() {}

    /** The template, or every problem, each naming the template field it is about. */
    public static CertificateTemplate.Parsed load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            return new CertificateTemplate.Parsed(
                    CertificateTemplate.NONE, List.of("cannot read " + file + ": " + e.getMessage()));
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            return new CertificateTemplate.Parsed(
                    CertificateTemplate.NONE, List.of("not valid YAML: " + e.getOriginalMessage()));
        }
        return CertificateTemplate.parse(root);
    }
}
