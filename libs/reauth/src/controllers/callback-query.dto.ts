import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** The query the provider sends to the callback: `code` and `state` (and `iss`), or an OAuth `error`. */
export class CallbackQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(/^[\w.~-]+$/)
  code?: string;

  @IsString()
  @MaxLength(8192)
  @Matches(/^[\w.-]+$/)
  state!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[\w.-]+$/)
  error?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  error_description?: string;

  /** RFC 9207: the issuer of the authorization response. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @Matches(/^https?:\/\/[^\s]+$/)
  iss?: string;
}
