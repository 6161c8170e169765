package io.apicurio.common.apps.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import jakarta.enterprise.util.Nonbinding;

/**
 * Documentation metadata on a registry configuration property, in the shape Apicurio Registry
 * 3.0.9's classes were compiled against ({@code category} is a {@link ConfigPropertyCategory}; in
 * the 3.0.6 config-definitions on Maven Central it is a String, and application.properties removes
 * that copy). Written for this test build only.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface Info {
  @Nonbinding
  ConfigPropertyCategory category();

  @Nonbinding
  String description() default "";

  @Nonbinding
  String availableSince() default "";

  @Nonbinding
  String registryAvailableSince() default "";

  @Nonbinding
  String studioAvailableSince() default "";

  @Nonbinding
  String[] seeAlso() default {};

  @Nonbinding
  String[] dependsOn() default {};
}
