package io.trynow.platform.template;

import static io.trynow.platform.template.TemplateRulesTest.templates;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The on-claim hook, the visitor-field schema and the table prefix of a template are checked when
 * it is loaded (the message names the key), and visitor fields are checked against the schema.
 */
class HookRulesTest {

  static final String K = "trynow.templates.hello.";

  static Map<String, String> shop(Map<String, String> more) {
    Map<String, String> m = new HashMap<>();
    m.put(K + "hook.type", "http");
    m.put(K + "hook.secret", "0123456789abcdef-secret");
    m.put(K + "table-prefix", "shop_");
    m.put(K + "fields.shop_name.max-length", "10");
    m.put(K + "fields.shop_name.pattern", "[A-Za-z ]+");
    m.put(K + "fields.seats.type", "integer");
    m.put(K + "fields.seats.min", "1");
    m.put(K + "fields.seats.max", "5");
    m.putAll(more);
    return m;
  }

  static void rejects(Map<String, String> more, String expected) {
    assertThatThrownBy(() -> TemplateRules.check(templates(shop(more))))
        .as(more.toString())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void aTemplateWithAHookFieldsAndATablePrefixIsValid() {
    assertThatCode(() -> TemplateRules.check(templates(shop(Map.of())))).doesNotThrowAnyException();
    TemplatesConfig.Template t = templates(shop(Map.of())).get("hello");
    assertThat(t.checksClaims()).isTrue();
    assertThat(templates(Map.of()).get("hello").checksClaims()).isFalse();
  }

  @Test
  void theTablePrefixIsValidatedAtLoad() {
    for (String bad :
        new String[] {"Shop_", "1shop", "shop-", "shop;drop", "x".repeat(17), "a b", "_x"}) {
      rejects(Map.of(K + "table-prefix", bad), K + "table-prefix");
    }
    for (String ok : new String[] {"a", "shop_", "d12345678_", "a".repeat(16)}) {
      assertThatCode(() -> TemplateRules.check(templates(shop(Map.of(K + "table-prefix", ok)))))
          .as(ok)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void hookSettingsAreChecked() {
    rejects(Map.of(K + "hook.type", "shell"), K + "hook.type");
    rejects(Map.of(K + "hook.secret", "short"), K + "hook.secret");
    rejects(Map.of(K + "hook.timeout", "0s"), K + "hook.timeout");
    rejects(Map.of(K + "hook.timeout", "5m"), K + "hook.timeout");
    rejects(Map.of(K + "hook.path", "no-slash"), K + "hook.path");
  }

  @Test
  void fieldSchemasAreChecked() {
    rejects(Map.of(K + "fields.shop_name.pattern", "[unclosed"), K + "fields.shop_name.pattern");
    rejects(Map.of(K + "fields.shop_name.type", "object"), K + "fields.shop_name.type");
    rejects(Map.of(K + "fields.shop_name.max-length", "0"), K + "fields.shop_name.max-length");
    rejects(Map.of(K + "fields.Bad.type", "string"), K + "fields.Bad");
  }

  @Test
  void visitorFieldsFitTheSchemaOrAreRefusedNamingTheField() {
    Map<String, TemplatesConfig.Field> schema = templates(shop(Map.of())).get("hello").fields();
    Map<String, Object> ok = new LinkedHashMap<>();
    ok.put("shop_name", "Acme Tools");
    ok.put("seats", 3);
    assertThat(VisitorFields.validate(schema, ok)).containsEntry("seats", 3L);
    assertThat(VisitorFields.validate(schema, null)).isEmpty();

    Object[][] bad = {
      {"shop_name", "x');--", "pattern"},
      {"shop_name", "$(reboot)", "pattern"},
      {"shop_name", "Way too long name", "at most 10"},
      {"shop_name", "tab\there", "control"},
      {"shop_name", 42, "a string"},
      {"seats", "3", "an integer"},
      {"seats", 9, "between 1 and 5"},
      {"seats", 2.5, "an integer"},
      {"cmd", "x", "no such field"},
    };
    for (Object[] b : bad) {
      assertThatThrownBy(() -> VisitorFields.validate(schema, Map.of((String) b[0], b[1])))
          .as(b[0] + "=" + b[1])
          .isInstanceOf(VisitorFields.InvalidField.class)
          .hasMessageStartingWith(b[0] + ": ")
          .hasMessageContaining((String) b[2])
          .hasMessageNotContaining(String.valueOf(b[1]).length() > 3 ? String.valueOf(b[1]) : "@@");
    }
  }
}
